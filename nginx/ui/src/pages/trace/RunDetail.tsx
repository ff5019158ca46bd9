import type { KeyboardEvent, ReactNode } from "react";
import type { ApiState } from "../../api/hooks";
import type { Run } from "../../api/types";
import { CopyButton } from "../../components/CopyButton";
import { JsonView } from "../../components/JsonView";
import { RunIO } from "../../components/RunIO";
import { ErrorState, Loading } from "../../components/States";
import { formatCost, formatLatency, formatNumber, formatTime, formatTokens, parseTime, secondsBetween } from "../../lib/format";
import { modelOf } from "../playground/fromRun";
import { splitError } from "./errors";
import { FeedbackPanel } from "./FeedbackPanel";
import { RunActions } from "./RunActions";
import { isError, isPending, type Totals } from "./TraceTree";
import type { TraceRun } from "./useTrace";

export type DetailTab = "run" | "metadata" | "feedback" | "events";

function Stat({ label, children, title }: { label: string; children: ReactNode; title?: string }) {
  return (
    <div className="detail-stat" title={title}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function ErrorBlock({ error }: { error: string }) {
  // Once: the message, then the traceback folded away (the SDK's repr line and the traceback's
  // last line only restate the message).
  const { message, detail } = splitError(error);
  return (
    <section className="detail-error" aria-label="Error">
      <h3>Error</h3>
      <p className="detail-error-summary mono">{message}</p>
      {detail && (
        <details className="detail-error-details">
          <summary>Traceback</summary>
          <pre className="detail-error-stack">{detail}</pre>
        </details>
      )}
    </section>
  );
}

function KV({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="kv-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function omit(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

function Metadata({ run, onSelect }: { run: Run; onSelect: (id: string) => void }) {
  const extra = (run.extra ?? {}) as Record<string, unknown>;
  const metadata = extra.metadata as Record<string, unknown> | undefined;
  const invocation = extra.invocation_params as Record<string, unknown> | undefined;
  const otherExtra = omit(extra, ["metadata", "invocation_params"]);
  const ids: [string, string | null | undefined, boolean][] = [
    ["Run ID", run.id, false],
    ["Trace ID", run.trace_id, false],
    ["Parent run ID", run.parent_run_id, true],
    ["Project ID", run.session_id, false],
    ["Reference example", run.reference_example_id, false],
  ];
  return (
    <div className="stack">
      <dl className="kv">
        <KV label="Run type">
          <span className={`run-type ${run.run_type}`}>{run.run_type}</span>
        </KV>
        {ids.map(([label, value, link]) =>
          value ? (
            <KV key={label} label={label}>
              <span className="row">
                {link ? (
                  <button type="button" className="linklike mono" onClick={() => onSelect(value)} title="Select the parent run">
                    {value}
                  </button>
                ) : (
                  <span className="mono">{value}</span>
                )}
                <CopyButton text={value} className="btn btn-small btn-quiet" accessibleName={`Copy ${label}`} />
              </span>
            </KV>
          ) : null,
        )}
        <KV label="Start">
          {formatTime(run.start_time)} <span className="muted mono">{run.start_time}</span>
        </KV>
        <KV label="End">{run.end_time ? formatTime(run.end_time) : <span className="muted">still running</span>}</KV>
        {run.first_token_time && <KV label="First token">{formatTime(run.first_token_time)}</KV>}
        {run.dotted_order && (
          <KV label="Dotted order">
            <span className="mono kv-wrap">{run.dotted_order}</span>
          </KV>
        )}
        <KV label="Tags">
          <span className="row wrap">
            {run.tags && run.tags.length > 0 ? (
              run.tags.map((t) => (
                <span key={t} className="badge">
                  {t}
                </span>
              ))
            ) : (
              <span className="muted">none</span>
            )}
          </span>
        </KV>
      </dl>
      <section>
        <h3>Metadata</h3>
        {metadata && Object.keys(metadata).length > 0 ? <JsonView value={metadata} openDepth={2} /> : <p className="muted">None</p>}
      </section>
      {invocation && Object.keys(invocation).length > 0 && (
        <section>
          <h3>Invocation parameters</h3>
          <JsonView value={invocation} openDepth={2} />
        </section>
      )}
      {Object.keys(otherExtra).length > 0 && (
        <section>
          <h3>Other extra</h3>
          <JsonView value={otherExtra} openDepth={1} />
        </section>
      )}
    </div>
  );
}

const EVENT_LIMIT = 500;
// Runs whose single-string inputs are arguments, not a person's words: shown as data, not as chat.
const PLAIN_IO = new Set(["tool", "retriever", "parser", "embedding"]);

function Events({ run }: { run: Run }) {
  const events = (run.events ?? []) as Record<string, unknown>[];
  if (events.length === 0) return <p className="muted">No events recorded for this run.</p>;
  const start = parseTime(run.start_time)?.getTime();
  const shown = events.slice(0, EVENT_LIMIT);
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">Events</caption>
        <thead>
          <tr>
            <th>Event</th>
            <th className="num">At</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((event, i) => {
            const at = parseTime(typeof event.time === "string" ? event.time : null)?.getTime();
            const details = omit(event, ["name", "time"]);
            return (
              <tr key={i}>
                <td className="mono">{String(event.name ?? "event")}</td>
                <td className="num nowrap">{at !== undefined && start !== undefined ? `+${formatLatency((at - start) / 1000)}` : "–"}</td>
                <td>{Object.keys(details).length > 0 ? <JsonView value={details} openDepth={1} /> : <span className="muted">–</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {events.length > EVENT_LIMIT && (
        <p className="muted detail-note">
          Showing the first {EVENT_LIMIT} of {events.length.toLocaleString("en-US")} events; the raw run has them all.
        </p>
      )}
    </div>
  );
}

export function RunDetail({
  light,
  full,
  totals,
  tab,
  onTab,
  onSelect,
  actions = false,
  readOnly = false,
}: {
  /** A shared trace seen without a login: no feedback tab (reading and writing feedback needs one). */
  readOnly?: boolean;
  /** Show the run actions bar (share, dataset, playground, queue, copy): the trace page does. */
  actions?: boolean;
  /** The tree's row (always there once the trace has loaded). */
  light: TraceRun | undefined;
  /** GET /runs/{id} for the selected run (inputs, outputs, extra, attachments). */
  full: ApiState<Run>;
  totals: Totals | undefined;
  tab: DetailTab;
  onTab: (tab: DetailTab) => void;
  onSelect: (id: string) => void;
}) {
  const run = full.data;
  const head = run ?? light;
  if (!head) {
    if (full.error) return <ErrorState error={full.error} retry={full.reload} />;
    return <Loading label="Loading run" />;
  }
  const pending = isPending(head);
  const error = isError(head);
  const latency = secondsBetween(head.start_time, head.end_time);
  const ttft = secondsBetween(head.start_time, head.first_token_time);
  const eventCount = run?.events?.length ?? 0;
  const tabs: { id: DetailTab; label: string }[] = [
    { id: "run", label: "Run" },
    { id: "metadata", label: "Metadata" },
    ...(readOnly ? [] : [{ id: "feedback" as const, label: "Feedback" }]),
    { id: "events", label: eventCount > 0 ? `Events (${eventCount})` : "Events" },
  ];
  const ownTokens = head.total_tokens ?? 0;
  const { model, provider } = run ? modelOf(run) : {};
  const showSubtree = totals && totals.tokens > ownTokens;

  function onTabKey(event: KeyboardEvent<HTMLDivElement>) {
    const i = tabs.findIndex((t) => t.id === tab);
    let next = -1;
    if (event.key === "ArrowRight") next = (i + 1) % tabs.length;
    else if (event.key === "ArrowLeft") next = (i - 1 + tabs.length) % tabs.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    onTab(tabs[next].id);
    document.getElementById(`detail-tab-${tabs[next].id}`)?.focus();
  }

  return (
    <article className="run-detail" aria-labelledby="run-detail-title">
      <header className="detail-header">
        <div className="row wrap">
          <span className={`run-type ${head.run_type}`}>{head.run_type}</span>
          <h2 id="run-detail-title" className="detail-title">
            {head.name}
          </h2>
          <span className={`badge ${error ? "err" : pending ? "pending" : "ok"}`}>{error ? "error" : pending ? "running" : "success"}</span>
          {model && (
            <span className="detail-model" title={provider ? `${provider} model` : "Model"}>
              <span className="sr-only">Model </span>
              <span className="mono">{model}</span>
              {provider && <span className="muted"> · {provider}</span>}
            </span>
          )}
        </div>
        {actions && <RunActions head={head} run={run} />}
        <dl className="detail-stats">
          <Stat label="Latency">{pending && !latency ? <span className="muted">running</span> : formatLatency(latency)}</Stat>
          {ttft !== null && <Stat label="First token">{formatLatency(ttft)}</Stat>}
          {(ownTokens > 0 || head.run_type === "llm") && (
          <Stat
            label="Tokens"
            title={`prompt ${formatNumber(head.prompt_tokens)} · completion ${formatNumber(head.completion_tokens)}`}
          >
            {/* An LLM run that recorded no usage has unknown tokens ("–"), not a measured 0. */}
            {formatTokens(ownTokens)}
            {ownTokens > 0 && (
              <span className="muted detail-sub">
                {" "}
                ({formatNumber(head.prompt_tokens)} prompt / {formatNumber(head.completion_tokens)} completion)
              </span>
            )}
          </Stat>
          )}
          {showSubtree && <Stat label="Incl. children">{formatNumber(totals.tokens)} tokens · {formatCost(totals.cost)}</Stat>}
          <Stat label="Cost" title={run ? `prompt ${formatCost(run.prompt_cost)} · completion ${formatCost(run.completion_cost)}` : undefined}>
            {formatCost(head.total_cost)}
          </Stat>
          <Stat label="Started">{formatTime(head.start_time)}</Stat>
        </dl>
      </header>
      <div className="tabs detail-tabs" role="tablist" aria-label="Run details" onKeyDown={onTabKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            id={`detail-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`detail-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={tab === t.id ? "tab active" : "tab"}
            onClick={() => onTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id={`detail-panel-${tab}`} role="tabpanel" aria-labelledby={`detail-tab-${tab}`} className="detail-panel">
        {tab === "feedback" && !readOnly ? (
          <FeedbackPanel runId={head.id} traceId={head.trace_id} sessionId={head.session_id} />
        ) : !run ? (
          full.error ? (
            <ErrorState error={full.error} retry={full.reload} />
          ) : (
            <Loading label="Loading inputs and outputs" />
          )
        ) : tab === "run" ? (
          <div className="stack">
            {run.error && <ErrorBlock error={run.error} />}
            <RunIO label="Input" plain={PLAIN_IO.has(run.run_type)} value={run.inputs} attachments={run.s3_urls && Object.keys(run.s3_urls).length > 0 ? run.s3_urls : null} />
            {/* A failed @traceable call records {"output": null}: that is no output, not an answer. */}
            {run.outputs === null || run.outputs === undefined || (error && Object.values(run.outputs).every((v) => v === null)) ? (
              <section className="runio">
                <h3 className="runio-title">Output</h3>
                <p className="muted">{pending ? "No output yet: the run is still going." : error ? "None: the run failed." : "None"}</p>
              </section>
            ) : (
              <RunIO label="Output" plain={PLAIN_IO.has(run.run_type)} value={run.outputs} />
            )}
          </div>
        ) : tab === "metadata" ? (
          <Metadata run={run} onSelect={onSelect} />
        ) : (
          <Events run={run} />
        )}
      </div>
    </article>
  );
}
