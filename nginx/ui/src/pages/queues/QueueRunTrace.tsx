import { useCallback, useMemo, useState } from "react";
import { useApi } from "../../api/hooks";
import type { Run } from "../../api/types";
import { ErrorState, Loading } from "../../components/States";
import { RunDetail, type DetailTab } from "../trace/RunDetail";
import { subtreeTotals, traceSpan, TraceTree } from "../trace/TraceTree";
import { buildTree, indexNodes, visibleNodes } from "../trace/tree";
import { useTraceRuns } from "../trace/useTrace";
import "../trace/trace.css";

/**
 * The trace of the run under review, with the trace page's own tree and detail components; the
 * selection is local (the review page's URL names the queue, not a run). Starts on the queued run.
 */
export function QueueRunTrace({ run }: { run: Run }) {
  const [selectedId, setSelectedId] = useState(run.id);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [tab, setTab] = useState<DetailTab>("run");
  const trace = useTraceRuns(run.trace_id, null);
  const full = useApi<Run>({ path: `/runs/${selectedId}` });
  const roots = useMemo(() => buildTree(trace.runs), [trace.runs]);
  const index = useMemo(() => indexNodes(roots), [roots]);
  const totals = useMemo(() => subtreeTotals(roots), [roots]);
  const rows = useMemo(() => visibleNodes(roots, collapsed), [roots, collapsed]);
  const now = trace.fetchedAt || Date.now();
  const span = useMemo(() => traceSpan(trace.runs, now), [trace.runs, now]);
  const toggle = useCallback((id: string, open?: boolean) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (open ?? next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  return (
    <>
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
            onSelect={setSelectedId}
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
          onSelect={setSelectedId}
        />
      </section>
    </>
  );
}
