import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { DoneDialog, FormDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Async, EmptyState } from "../../components/States";
import { progressOf, queuePath, type AnnotationQueue } from "./api";

/**
 * Send runs to an annotation queue: pick the queue, add. Adding a run that is already in the queue
 * keeps its place (the API is idempotent), so sending twice is harmless.
 */
export function AddToQueueDialog({ open, runIds, onClose }: { open: boolean; runIds: string[]; onClose: () => void }) {
  const { tenant = "" } = useParams();
  const queues = useApi<AnnotationQueue[]>(open ? { path: "/annotation-queues", query: { limit: 100 } } : null);
  const [picked, setPicked] = useState("");
  const [added, setAdded] = useState<{ queue: AnnotationQueue; count: number } | null>(null);
  const add = useMutation((queueId: string) => api<unknown[]>({ path: `${queuePath(queueId)}/runs`, method: "POST", body: runIds }));
  const queueId = picked || queues.data?.[0]?.id || "";

  const close = () => {
    setAdded(null);
    add.clearError();
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const queue = queues.data?.find((q) => q.id === queueId);
    if (!queue) return;
    const items = await add.mutate(queue.id);
    if (items) {
      invalidate("/annotation-queues");
      setAdded({ queue, count: runIds.length });
    }
  };
  const plural = runIds.length === 1 ? "run" : "runs";

  if (added) {
    return (
      <DoneDialog open={open} title="Added to the queue" onClose={close}>
        Added {added.count} {added.count === 1 ? "run" : "runs"} to <strong>{added.queue.name}</strong>.{" "}
        <Link to={`/o/${tenant}/queues/${added.queue.id}`}>Review the queue</Link>
      </DoneDialog>
    );
  }
  return (
    <FormDialog
      open={open}
      title="Add to annotation queue"
      onClose={close}
      onSubmit={submit}
      errors={[add.error]}
      submitLabel={`Add ${runIds.length} ${plural}`}
      pendingLabel="Adding…"
      pending={add.pending}
      disabled={!queueId || runIds.length === 0}
    >
      <Async
        state={queues}
        label="Loading queues"
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState title="No annotation queues yet">
            <Link to={`/o/${tenant}/queues`}>Create one</Link> on the Annotation queues page first.
          </EmptyState>
        }
      >
        {(list) => (
          <Field label="Queue">
            <select value={queueId} onChange={(e) => setPicked(e.target.value)} autoFocus>
              {list.map((q) => {
                const p = progressOf(q);
                return (
                  <option key={q.id} value={q.id}>
                    {q.name} ({p.remaining} to review)
                  </option>
                );
              })}
            </select>
          </Field>
        )}
      </Async>
    </FormDialog>
  );
}
