import { useState } from "react";
import { useApi } from "../../api/hooks";
import type { Run } from "../../api/types";
import type { DetailTab } from "../trace/RunDetail";
import { TracePanes } from "../trace/TracePanes";
import { useTraceRuns } from "../trace/useTrace";
import { useTraceTree } from "../trace/useTraceTree";
import "../trace/trace.css";

/**
 * The trace of the run under review, with the trace page's own tree and detail components; the
 * selection is local (the review page's URL names the queue, not a run). Starts on the queued run.
 */
export function QueueRunTrace({ run }: { run: Run }) {
  const [selectedId, setSelectedId] = useState(run.id);
  const [tab, setTab] = useState<DetailTab>("run");
  const trace = useTraceRuns(run.trace_id, null);
  const full = useApi<Run>({ path: `/runs/${selectedId}` });
  const tree = useTraceTree(trace.runs, trace.fetchedAt);

  return (
    <TracePanes trace={trace} tree={tree} selectedId={selectedId} onSelect={setSelectedId} full={full} tab={tab} onTab={setTab} />
  );
}
