import { useCallback, useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import type { Run } from "../../api/types";
import { Brand } from "../../components/Brand";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatLatency, formatNumber, formatTime } from "../../lib/format";
import { RunDetail, type DetailTab } from "./RunDetail";
import { isError, isPending, subtreeTotals, traceSpan, TraceTree } from "./TraceTree";
import { buildTree, indexNodes, visibleNodes } from "./tree";
import { useTraceRuns } from "./useTrace";
import "./trace.css";

/**
 * A shared trace, read-only and without a login: what the share link (`/public/{token}/r`, the
 * address the SDK's `share_run` prints) opens. Everything comes from the token's public API, which
 * only ever shows the shared run's own trace; once sharing stops, the page says so.
 */
export function PublicTracePage() {
  const { token = "", runId } = useParams();
  const navigate = useNavigate();
  const base = `/public/${token}`;
  const shared = useApi<Run>({ path: `${base}/run` });
  const selectedId = runId ?? shared.data?.id ?? "";
  const selected = useApi<Run>(runId ? { path: `${base}/run/${runId}` } : null);
  const full = runId ? selected : shared;
  const trace = useTraceRuns(shared.data?.trace_id ?? null, null, `${base}/runs/query`);

  const roots = useMemo(() => buildTree(trace.runs), [trace.runs]);
  const index = useMemo(() => indexNodes(roots), [roots]);
  const totals = useMemo(() => subtreeTotals(roots), [roots]);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const rows = useMemo(() => visibleNodes(roots, collapsed), [roots, collapsed]);
  const now = useMemo(() => trace.fetchedAt || Date.now(), [trace.fetchedAt]);
  const span = useMemo(() => traceSpan(trace.runs, now), [trace.runs, now]);
  const root = roots.find((n) => n.run.parent_run_id == null) ?? roots[0];
  const [tab, setTab] = useState<DetailTab>("run");

  const select = useCallback(
    (id: string) => {
      if (id !== selectedId) navigate(`${base}/r/${id}`, { replace: true });
    },
    [selectedId, navigate, base],
  );
  const toggle = useCallback((id: string, open?: boolean) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (open ?? next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const gone = shared.error?.status === 404 || shared.error?.status === 422;
  return (
    <div className="public-trace">
      <header className="public-trace-header">
        <Brand />
        <span className="badge">Shared trace · read-only</span>
      </header>
      <main>
        {gone ? (
          <div className="card">
            <EmptyState title="This trace is not shared">
              The link is wrong, or whoever shared the trace has stopped sharing it.
            </EmptyState>
          </div>
        ) : shared.error ? (
          <ErrorState error={shared.error} retry={shared.reload} />
        ) : !shared.data ? (
          <Loading label="Loading the shared trace" />
        ) : (
          <div className="trace-page public-trace-body">
            <div className="page-header">
              <h1>{root?.run.name ?? shared.data.name}</h1>
              {root && (
                <p className="subtitle trace-summary">
                  <span className={`badge ${isError(root.run) ? "err" : isPending(root.run) ? "pending" : "ok"}`}>
                    {isError(root.run) ? "error" : isPending(root.run) ? "running" : "success"}
                  </span>
                  <span>{formatTime(root.run.start_time)}</span>
                  <span>
                    <span className="muted">Latency</span> {formatLatency(span.total / 1000)}
                  </span>
                  <span>
                    <span className="muted">Runs</span> {formatNumber(trace.runs.length)}
                  </span>
                </p>
              )}
            </div>
            <div className="trace-layout">
              <section className="trace-pane card" aria-label="Trace tree" aria-busy={!trace.complete}>
                {trace.error && trace.runs.length === 0 ? (
                  <ErrorState error={trace.error} retry={trace.reload} />
                ) : trace.runs.length === 0 ? (
                  <Loading label="Loading trace" />
                ) : (
                  <TraceTree
                    rows={rows}
                    selectedId={selectedId}
                    collapsed={collapsed}
                    totals={totals}
                    span={span}
                    now={now}
                    onSelect={select}
                    onToggle={toggle}
                  />
                )}
              </section>
              <section className="detail-pane card" aria-label="Selected run">
                <RunDetail
                  key={selectedId}
                  light={index.get(selectedId)?.run}
                  full={full.data?.id === selectedId ? full : { ...full, data: undefined }}
                  totals={totals.get(selectedId)}
                  tab={tab}
                  onTab={setTab}
                  onSelect={select}
                  readOnly
                />
              </section>
            </div>
          </div>
        )}
      </main>
    </div>
  );
}
