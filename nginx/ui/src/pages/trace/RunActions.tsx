import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import type { Run } from "../../api/types";
import { useWorkspace } from "../../auth/AuthContext";
import { CopyButton } from "../../components/CopyButton";
import { AddToQueueDialog } from "../queues/AddToQueueDialog";
import { AddToDatasetDialog } from "./AddToDatasetDialog";
import { ShareDialog } from "./ShareDialog";
import type { TraceRun } from "./useTrace";

type Open = "share" | "dataset" | "queue" | null;

/** The address of a run in the trace view, as the SDK prints it (plus the trace, to skip a lookup). */
export function traceUrl(tenant: string, run: Pick<Run, "id" | "session_id" | "trace_id">): string {
  return `${window.location.origin}/o/${tenant}/projects/p/${run.session_id}/r/${run.id}?trace_id=${run.trace_id}`;
}

/**
 * What can be done with the selected run: share its trace, save it to a dataset, open an LLM run
 * in the playground, send it to an annotation queue, copy its id or address. Plain buttons in
 * the header's tab order, so all of it is reachable by keyboard. Writes are hidden from viewers.
 */
export function RunActions({ head, run }: { head: TraceRun | Run; run: Run | undefined }) {
  const { tenant = "" } = useParams();
  const canWrite = useWorkspace().role !== "viewer";
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  return (
    <div className="run-actions" role="group" aria-label="Run actions">
      <div className="run-actions-main">
        <button type="button" className="btn btn-small" onClick={() => setOpen("share")}>
          Share
        </button>
        {canWrite && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setOpen("dataset")}
            disabled={!run}
            title={run ? undefined : "Waiting for the run's inputs and outputs"}
          >
            Add to dataset
          </button>
        )}
        {head.run_type === "llm" && (
          <Link className="btn btn-small" to={`/o/${tenant}/playground?run=${encodeURIComponent(head.id)}`}>
            Open in playground
          </Link>
        )}
        {canWrite && (
          <button type="button" className="btn btn-small" onClick={() => setOpen("queue")}>
            Add to annotation queue
          </button>
        )}
      </div>
      <div className="run-actions-copy">
        <CopyButton text={head.id} label="Copy run ID" accessibleName="Copy run ID" className="btn btn-small btn-quiet" />
        <CopyButton text={traceUrl(tenant, head)} label="Copy trace URL" accessibleName="Copy trace URL" className="btn btn-small btn-quiet" />
      </div>
      {open === "share" && <ShareDialog runId={head.id} canWrite={canWrite} onClose={close} />}
      {open === "dataset" && run && <AddToDatasetDialog run={run} onClose={close} />}
      {open === "queue" && <AddToQueueDialog open runIds={[head.id]} onClose={close} />}
    </div>
  );
}
