import { useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useSearchParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { EmptyState, ErrorState, FormError, Loading } from "../../components/States";
import { AddPriceLinks } from "../../components/AddPriceLink";
import { DataTable, type Column } from "../../components/Table";
import { describeCost, formatCost, formatLatency, formatNumber, formatPercent, parseTime, parseTimeMs } from "../../lib/format";
import { useProject } from "../project/ProjectLayout";
import { compactNumber, formatBucketRange, formatWindow } from "./chartMath";
import { TimeChart, type ChartSeries } from "./TimeChart";
import type { ModelCost, SeriesPoint, TimeSeries } from "./types";
import "./MonitoringPage.css";

const PRESETS = [
  { id: "1h", label: "1h", title: "Last hour", ms: 3600e3 },
  { id: "24h", label: "24h", title: "Last 24 hours", ms: 24 * 3600e3 },
  { id: "7d", label: "7d", title: "Last 7 days", ms: 7 * 86400e3 },
  { id: "30d", label: "30d", title: "Last 30 days", ms: 30 * 86400e3 },
] as const;
const DEFAULT_RANGE = "24h";
const MINUTE = 60e3;

/** Now, rounded up to the minute: revisiting the page within a minute hits the cache. */
function nowMinute(): number {
  return Math.ceil(Date.now() / MINUTE) * MINUTE;
}

/** ISO → the value a datetime-local input shows (local time, minutes). */
function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = parseTime(iso);
  if (!d) return "";
  const local = new Date(d.getTime() - d.getTimezoneOffset() * MINUTE);
  return local.toISOString().slice(0, 16);
}

function zoneLabel(): string {
  const offset = -new Date().getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "−";
  const h = Math.floor(Math.abs(offset) / 60);
  const m = Math.abs(offset) % 60;
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, "0")}` : ""}`;
}

function intervalLabel(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? "" : "s"}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A project's runs over time: stat cards for the range and a chart per measure, from one request. */
export default function MonitoringPage() {
  const { projectId } = useProject();
  const [params, setParams] = useSearchParams();
  const range = params.get("range") ?? DEFAULT_RANGE;
  const preset = PRESETS.find((p) => p.id === range);
  const customStart = params.get("start");
  const customEnd = params.get("end");
  const [anchor, setAnchor] = useState(nowMinute);
  const [editing, setEditing] = useState(range === "custom");

  const span = useMemo(() => {
    if (preset) return { start: new Date(anchor - preset.ms).toISOString(), end: new Date(anchor).toISOString() };
    if (range === "custom" && customStart && customEnd) return { start: customStart, end: customEnd };
    return null;
  }, [preset, anchor, range, customStart, customEnd]);

  const state = useApi<TimeSeries>(
    span
      ? { path: `/sessions/${projectId}/timeseries`, query: { start_time: span.start, end_time: span.end } }
      : null,
  );
  // While another range loads, keep the last charts on screen (dimmed) rather than a spinner.
  const last = useRef<TimeSeries | undefined>(undefined);
  if (state.data) last.current = state.data;
  const shown = state.data ?? (state.loading && !state.error ? last.current : undefined);

  function choose(id: string) {
    const next = new URLSearchParams(params);
    next.set("range", id);
    next.delete("start");
    next.delete("end");
    setParams(next, { replace: true });
    setEditing(false);
    setAnchor(nowMinute());
  }

  function refresh() {
    const next = nowMinute();
    if (next === anchor || !preset) state.reload();
    else setAnchor(next);
  }

  return (
    <div className="monitoring">
      <div className="monitoring-toolbar">
        <div className="segmented" role="group" aria-label="Time range">
          {PRESETS.map((p) => (
            <button
              key={p.id}
              type="button"
              className={range === p.id ? "segment active" : "segment"}
              aria-pressed={range === p.id}
              title={p.title}
              onClick={() => choose(p.id)}
            >
              {p.label}
            </button>
          ))}
          <button
            type="button"
            className={range === "custom" ? "segment active" : "segment"}
            aria-pressed={range === "custom"}
            aria-expanded={editing}
            onClick={() => setEditing((e) => !e)}
          >
            Custom…
          </button>
        </div>
        <span className="muted monitoring-window">
          {shown &&
            `${formatWindow(parseTimeMs(shown.start_time), parseTimeMs(shown.end_time))} · buckets of ${intervalLabel(
              shown.interval_seconds,
            )} · ${zoneLabel()}`}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={refresh} disabled={state.loading}>
          {state.loading ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {editing && (
        <CustomRange
          start={customStart}
          end={customEnd}
          onApply={(start, end) => {
            const next = new URLSearchParams(params);
            next.set("range", "custom");
            next.set("start", start);
            next.set("end", end);
            setParams(next, { replace: true });
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      {!span ? (
        <EmptyState title="Choose a time range">Pick a preset above, or enter a start and an end.</EmptyState>
      ) : shown === undefined ? (
        state.error ? (
          <ErrorState error={state.error} retry={state.reload} />
        ) : (
          <Loading label="Loading charts" />
        )
      ) : (
        <div className={state.loading ? "monitoring-body is-stale" : "monitoring-body"} aria-busy={state.loading}>
          {state.error && <ErrorState error={state.error} retry={state.reload} />}
          <Summary totals={shown.totals} unpriced={shown.unpriced_models ?? []} />
          {shown.totals.run_count === 0 && shown.totals.llm_calls === 0 ? (
            <EmptyState title="No traces in this range">
              Nothing was traced to this project between these times. Pick a longer range, or send traces with the
              SDK.
            </EmptyState>
          ) : (
            <>
              <Charts series={shown} />
              <SpendByModel models={shown.cost_by_model ?? []} />
            </>
          )}
        </div>
      )}
    </div>
  );
}

function CustomRange({
  start,
  end,
  onApply,
  onCancel,
}: {
  start: string | null;
  end: string | null;
  onApply: (start: string, end: string) => void;
  onCancel: () => void;
}) {
  const [from, setFrom] = useState(() => toLocalInput(start) || toLocalInput(new Date(Date.now() - 86400e3).toISOString()));
  const [to, setTo] = useState(() => toLocalInput(end) || toLocalInput(new Date().toISOString()));
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    const a = new Date(from);
    const b = new Date(to);
    if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return setError("Enter both a start and an end.");
    if (b <= a) return setError("The end must be after the start.");
    if (b.getTime() - a.getTime() > 400 * 86400e3) return setError("At most 400 days at a time.");
    setError(null);
    onApply(a.toISOString(), b.toISOString());
  }

  return (
    <form className="custom-range card" onSubmit={submit} aria-label="Custom time range">
      <label className="field">
        <span>From</span>
        <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
      </label>
      <label className="field">
        <span>To</span>
        <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
      </label>
      <div className="row custom-range-actions">
        <button type="submit" className="btn btn-primary btn-small">
          Apply
        </button>
        <button type="button" className="btn btn-quiet btn-small" onClick={onCancel}>
          Close
        </button>
      </div>
      <FormError error={error} />
    </form>
  );
}

function Summary({ totals, unpriced }: { totals: SeriesPoint; unpriced: string[] }) {
  const cost = describeCost(totals.total_cost, unpriced);
  const cards: { label: string; value: string; hint?: string; tone?: "err" }[] = [
    { label: "Traces", value: formatNumber(totals.run_count) },
    {
      label: "Errors",
      value: formatNumber(totals.error_count),
      hint: totals.error_rate === null ? undefined : `${formatPercent(totals.error_rate)} error rate`,
      tone: totals.error_count > 0 ? "err" : undefined,
    },
    { label: "Latency p50", value: formatLatency(totals.latency_p50) },
    { label: "Latency p99", value: formatLatency(totals.latency_p99) },
    {
      label: "Tokens",
      value: formatNumber(totals.total_tokens),
      hint: totals.total_tokens
        ? `${formatNumber(totals.prompt_tokens)} prompt · ${formatNumber(totals.completion_tokens)} completion`
        : undefined,
    },
    { label: "Cost", value: cost.value, hint: cost.note ?? undefined },
    { label: "LLM calls", value: formatNumber(totals.llm_calls) },
  ];
  if (totals.first_token_p50 !== null) {
    cards.splice(4, 0, { label: "First token p50", value: formatLatency(totals.first_token_p50) });
  }
  return (
    <dl className="monitoring-stats">
      {cards.map((c) => (
        <div key={c.label} className="stat">
          <dt className="stat-label">{c.label}</dt>
          <dd className={c.tone === "err" ? "stat-value is-err" : "stat-value"}>{c.value}</dd>
          {c.hint && <dd className="stat-hint muted">{c.hint}</dd>}
          {c.label === "Cost" && unpriced.length > 0 && (
            <dd className="stat-hint">
              <AddPriceLinks models={unpriced} />
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}

/** The window's spend per model (priced LLM runs), most spent first; nothing when none was priced. */
function SpendByModel({ models }: { models: ModelCost[] }) {
  if (!models.length) return null;
  return (
    <section className="card spend-by-model" aria-labelledby="spend-by-model-heading">
      <h3 id="spend-by-model-heading">Spend by model</h3>
      <DataTable columns={SPEND_COLUMNS} scoped>
        {models.map((m) => (
          <tr key={m.model_name}>
            <td>
              <code>{m.model_name || "unnamed model"}</code>
              {m.model_provider && <span className="muted"> · {m.model_provider}</span>}
            </td>
            <td className="num">{formatNumber(m.llm_calls)}</td>
            <td className="num">{formatNumber(m.prompt_tokens)}</td>
            <td className="num">{formatNumber(m.completion_tokens)}</td>
            <td className="num">{formatCost(m.total_cost)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

const SPEND_COLUMNS: Column[] = [
  { label: "Model" },
  { label: "LLM calls", className: "num" },
  { label: "Input tokens", className: "num" },
  { label: "Output tokens", className: "num" },
  { label: "Cost", className: "num" },
];

/** "total X; peak Y at <bucket>" for a chart's accessible label. */
function describe(
  times: number[],
  interval: number,
  values: (number | null)[],
  format: (v: number | null) => string,
  total?: string,
): string {
  let peak = -1;
  values.forEach((v, i) => {
    if (v !== null && (peak < 0 || v > (values[peak] ?? -Infinity))) peak = i;
  });
  if (peak < 0) return `${total ? `${total}; ` : ""}no data in this range`;
  const head = total ? `${total}; ` : "";
  return `${head}highest ${format(values[peak])} at ${formatBucketRange(times[peak], interval)}`;
}

function Charts({ series }: { series: TimeSeries }) {
  const b = series.buckets;
  const times = b.map((p) => parseTimeMs(p.start_time));
  const interval = series.interval_seconds;
  const count = (v: number | null) => (v === null ? "–" : formatNumber(v));
  const ok = b.map((p) => p.run_count - p.error_count);
  const errors = b.map((p) => p.error_count);
  const latency: ChartSeries[] = [
    { key: "p50", label: "p50", color: "var(--accent)", values: b.map((p) => p.latency_p50) },
    { key: "p99", label: "p99", color: "var(--warn)", values: b.map((p) => p.latency_p99) },
  ];
  if (b.some((p) => p.first_token_p50 !== null)) {
    latency.push({
      key: "ttft",
      label: "First token p50",
      color: "var(--run-retriever)",
      values: b.map((p) => p.first_token_p50),
    });
  }
  const t = series.totals;
  const cost = describeCost(t.total_cost, series.unpriced_models ?? []);

  return (
    <div className="chart-grid">
      <ChartCard title="Traces" total={`${formatNumber(t.run_count)} total · ${formatNumber(t.error_count)} errors`}>
        <TimeChart
          title="Traces"
          kind="bar"
          times={times}
          intervalSeconds={interval}
          series={[
            { key: "ok", label: "Succeeded", color: "var(--accent)", values: ok },
            { key: "err", label: "Errors", color: "var(--err)", values: errors },
          ]}
          format={count}
          formatAxis={compactNumber}
          integers
          summary={describe(times, interval, b.map((p) => p.run_count), count, `${formatNumber(t.run_count)} traces, ${formatNumber(t.error_count)} errors`)}
        />
      </ChartCard>
      <ChartCard title="Error rate" total={`${formatPercent(t.error_rate)} over the range`}>
        <TimeChart
          title="Error rate"
          kind="line"
          times={times}
          intervalSeconds={interval}
          series={[{ key: "rate", label: "Error rate", color: "var(--err)", values: b.map((p) => p.error_rate) }]}
          format={formatPercent}
          formatAxis={(v) => `${+(v * 100).toFixed(1)}%`}
          minMax={0.05}
          summary={describe(times, interval, b.map((p) => p.error_rate), formatPercent, `${formatPercent(t.error_rate)} overall`)}
        />
      </ChartCard>
      <ChartCard title="Latency" total={`p50 ${formatLatency(t.latency_p50)} · p99 ${formatLatency(t.latency_p99)}`}>
        <TimeChart
          title="Latency"
          kind="line"
          times={times}
          intervalSeconds={interval}
          series={latency}
          format={formatLatency}
          formatAxis={(v) => (v < 1 ? `${Math.round(v * 1000)}ms` : `${+v.toFixed(1)}s`)}
          summary={describe(times, interval, b.map((p) => p.latency_p99), formatLatency, `p50 ${formatLatency(t.latency_p50)}, p99 ${formatLatency(t.latency_p99)}; p99`)}
        />
      </ChartCard>
      <ChartCard title="Tokens" total={`${formatNumber(t.total_tokens)} total`}>
        <TimeChart
          title="Tokens"
          kind="bar"
          times={times}
          intervalSeconds={interval}
          series={[
            { key: "prompt", label: "Prompt", color: "var(--run-llm)", values: b.map((p) => p.prompt_tokens) },
            {
              key: "completion",
              label: "Completion",
              color: "var(--run-retriever)",
              values: b.map((p) => p.completion_tokens),
            },
          ]}
          format={count}
          formatAxis={compactNumber}
          integers
          summary={describe(times, interval, b.map((p) => p.total_tokens), count, `${formatNumber(t.total_tokens)} tokens`)}
        />
      </ChartCard>
      {cost.priced ? (
        <ChartCard title="Cost" total={`${formatCost(t.total_cost)} total${cost.note ? `, ${cost.note}` : ""}`}>
          <TimeChart
            title="Cost"
            kind="bar"
            times={times}
            intervalSeconds={interval}
            series={[{ key: "cost", label: "Cost", color: "var(--ok)", values: b.map((p) => p.total_cost) }]}
            format={formatCost}
            formatAxis={(v) => (v >= 1 ? `$${+v.toFixed(2)}` : `$${+v.toPrecision(2)}`)}
            summary={describe(times, interval, b.map((p) => p.total_cost), formatCost, `${formatCost(t.total_cost)} total`)}
          />
        </ChartCard>
      ) : (
        // Nothing priced: an empty chart on a "$1" axis beside "$0" read as broken (or as free).
        // Say what is known instead: which models ran without prices, and where costs come from.
        <ChartCard title="Cost" total={cost.value}>
          <div className="chart-note">
            {cost.note ? (
              <p>
                <strong>{cost.note}.</strong> Their runs recorded tokens but no cost, so their cost is unknown rather
                than $0.
              </p>
            ) : (
              <p>No costs recorded in this range.</p>
            )}
            {(series.unpriced_models ?? []).length > 0 && (
              <p>
                <AddPriceLinks models={series.unpriced_models ?? []} />
              </p>
            )}
            <p className="muted">
              LLM runs are priced when they are ingested, from the workspace&apos;s model prices (Settings, Model
              prices), or carry their own costs: the SDK sends them as <code>input_cost</code> and{" "}
              <code>output_cost</code> in a run&apos;s <code>usage_metadata</code>.
            </p>
          </div>
        </ChartCard>
      )}
      <ChartCard title="LLM calls" total={`${formatNumber(t.llm_calls)} total`}>
        <TimeChart
          title="LLM calls"
          kind="bar"
          times={times}
          intervalSeconds={interval}
          series={[{ key: "llm", label: "LLM calls", color: "var(--run-llm)", values: b.map((p) => p.llm_calls) }]}
          format={count}
          formatAxis={compactNumber}
          integers
          summary={describe(times, interval, b.map((p) => p.llm_calls), count, `${formatNumber(t.llm_calls)} LLM calls`)}
        />
      </ChartCard>
    </div>
  );
}

function ChartCard({ title, total, children }: { title: string; total: string; children: ReactNode }) {
  return (
    <section className="card chart-card" aria-label={title}>
      <header className="chart-card-header">
        <h3>{title}</h3>
        <span className="muted">{total}</span>
      </header>
      {children}
    </section>
  );
}
