import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useMutation } from "../../api/hooks";
import { FormDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { newId } from "../trace/FeedbackPanel";
import { queuePath, type AnnotationQueue, type RubricItem } from "./api";

type KeyRow = { key: string; description: string; rest: RubricItem | null };

function rowsOf(queue: AnnotationQueue | null): KeyRow[] {
  const items = queue?.rubric_items ?? [];
  if (items.length === 0) return [{ key: "", description: "", rest: null }];
  return items.map((item) => ({ key: item.feedback_key, description: item.description ?? "", rest: item }));
}

/** The rubric as the API takes it; a row keeps the fields this form does not edit (descriptions of scores…). */
function rubricOf(rows: KeyRow[]): RubricItem[] {
  return rows
    .filter((r) => r.key.trim())
    .map((r) => ({ ...(r.rest ?? {}), feedback_key: r.key.trim(), description: r.description.trim() || null }));
}

/** Create a queue (queue = null) or edit one: name, description, rubric instructions and feedback keys. */
export function QueueDialog({
  open,
  queue,
  onClose,
  onSaved,
}: {
  open: boolean;
  queue: AnnotationQueue | null;
  onClose: () => void;
  onSaved: (queue: AnnotationQueue) => void;
}) {
  const [name, setName] = useState(queue?.name ?? "");
  const [description, setDescription] = useState(queue?.description ?? "");
  const [instructions, setInstructions] = useState(queue?.rubric_instructions ?? "");
  const [rows, setRows] = useState<KeyRow[]>(() => rowsOf(queue));
  // A new queue's id is chosen here, so a retried create (after a network error) is the same queue.
  const [id] = useState(() => queue?.id ?? newId());
  const save = useMutation((body: Record<string, unknown>) =>
    api<AnnotationQueue>(queue ? { path: queuePath(queue.id), method: "PATCH", body } : { path: "/annotation-queues", method: "POST", body: { ...body, id } }),
  );
  const keys = rows.map((r) => r.key.trim()).filter(Boolean);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (duplicate) return;
    const saved = await save.mutate({
      name: name.trim(),
      description: description.trim() || (queue ? "" : null),
      rubric_instructions: instructions.trim() || (queue ? "" : null),
      rubric_items: rubricOf(rows),
    });
    if (saved) {
      invalidate("/annotation-queues");
      onSaved(saved);
    }
  };
  const setRow = (index: number, change: Partial<KeyRow>) => setRows((all) => all.map((r, i) => (i === index ? { ...r, ...change } : r)));

  return (
    <FormDialog
      open={open}
      wide
      title={queue ? `Edit ${queue.name}` : "New annotation queue"}
      onClose={() => {
        save.clearError();
        onClose();
      }}
      onSubmit={submit}
      errors={[duplicate ? `The feedback key “${duplicate}” is listed twice.` : null, save.error]}
      submitLabel={queue ? "Save" : "Create queue"}
      pendingLabel="Saving…"
      pending={save.pending}
      disabled={!name.trim()}
    >
      <Field label="Name">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={400} autoFocus />
      </Field>
      <Field label="Description">
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field label="Rubric instructions (shown to reviewers)">
        <textarea className="aq-plain-textarea" rows={4} value={instructions} onChange={(e) => setInstructions(e.target.value)} />
      </Field>
      <fieldset className="aq-fieldset">
        <legend>Feedback keys</legend>
        <p className="muted aq-hint">
          Reviewers score each key; a key with a feedback config gets its categories or range.
        </p>
        {rows.map((row, i) => (
          <div className="row aq-key-row" key={i}>
            <input
              aria-label={`Feedback key ${i + 1}`}
              placeholder="correctness"
              value={row.key}
              onChange={(e) => setRow(i, { key: e.target.value })}
            />
            <input
              aria-label={`Description of key ${i + 1}`}
              placeholder="What the reviewer judges"
              className="aq-key-description"
              value={row.description}
              onChange={(e) => setRow(i, { description: e.target.value })}
            />
            <button
              type="button"
              className="btn btn-small btn-quiet"
              aria-label={`Remove key ${i + 1}`}
              onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </div>
        ))}
        <div>
          <button type="button" className="btn btn-small" onClick={() => setRows((all) => [...all, { key: "", description: "", rest: null }])}>
            Add a key
          </button>
        </div>
      </fieldset>
    </FormDialog>
  );
}
