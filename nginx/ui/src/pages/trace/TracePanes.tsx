import type { ApiState } from "../../api/hooks";
import type { Run } from "../../api/types";
import { ErrorState, Loading } from "../../components/States";
import { RunDetail, type DetailTab } from "./RunDetail";
import { TraceTree } from "./TraceTree";
import type { TraceState } from "./useTrace";
import type { useTraceTree } from "./useTraceTree";

/**
 * The tree and the selected run side by side, for the views that show a trace inside another page
 * (a queue's review, a shared trace). The trace page has its own, with its polling and not-found
 * states around the same two components.
 */
export function TracePanes({
  trace,
  tree,
  selectedId,
  onSelect,
  full,
  tab,
  onTab,
  readOnly = false,
}: {
  trace: TraceState;
  tree: ReturnType<typeof useTraceTree>;
  selectedId: string;
  onSelect: (id: string) => void;
  /** The selected run in full (inputs, outputs, ...), as its own request answered it. */
  full: ApiState<Run>;
  tab: DetailTab;
  onTab: (tab: DetailTab) => void;
  readOnly?: boolean;
}) {
  return (
    <>
      <section className="trace-pane card" aria-label="Trace tree" aria-busy={!trace.complete}>
        {trace.error && trace.runs.length === 0 ? (
          <ErrorState error={trace.error} retry={trace.reload} />
        ) : trace.runs.length === 0 ? (
          <Loading label="Loading trace" />
        ) : (
          <TraceTree
            rows={tree.rows}
            selectedId={selectedId}
            collapsed={tree.collapsed}
            totals={tree.totals}
            span={tree.span}
            now={tree.now}
            onSelect={onSelect}
            onToggle={tree.toggle}
          />
        )}
      </section>
      <section className="detail-pane card" aria-label="Selected run">
        <RunDetail
          key={selectedId}
          light={tree.index.get(selectedId)?.run}
          full={full.data?.id === selectedId ? full : { ...full, data: undefined }}
          totals={tree.totals.get(selectedId)}
          tab={tab}
          onTab={onTab}
          onSelect={onSelect}
          readOnly={readOnly}
        />
      </section>
    </>
  );
}
