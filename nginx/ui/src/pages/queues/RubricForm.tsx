import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import type { Feedback } from "../../api/types";
import { answerFor, draftFor, widgetFor, type Answer, type FeedbackConfig } from "../../components/feedback/config";
import { FeedbackField } from "../../components/feedback/FeedbackField";
import { FormError } from "../../components/States";
import { newId } from "../trace/FeedbackPanel";
import { queuePath, type AnnotationQueue, type Progress, type QueueRun } from "./api";

type Saved = { id: string; score: number | null; value: string | null };

/**
 * The rubric for one run: instructions, then one config-shaped input per feedback key. Enter saves
 * the scores given so far (ordinary feedback on the run, one per key: saving again updates it);
 * Done saves what is unsaved, marks the item reviewed and hands the new progress up.
 */
export function RubricForm({
  queue,
  run,
  configs,
  canWrite,
  onDone,
}: {
  queue: AnnotationQueue;
  run: QueueRun;
  configs: Map<string, FeedbackConfig>;
  canWrite: boolean;
  onDone: (progress: Progress | undefined) => void;
}) {
  const uid = useId();
  const items = queue.rubric_items ?? [];
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<Record<string, Saved>>({});
  const [problem, setProblem] = useState<string | null>(null);
  // Feedback ids are chosen here, once per key, so a retried save never records a score twice.
  const ids = useRef(new Map<string, string>());
  // Scores given earlier (a run sent back for review, a reload): shown, and updated rather than repeated.
  const earlier = useApi<Feedback[]>({ path: "/feedback", query: { run: run.id, limit: 1000 } });
  useEffect(() => {
    if (!earlier.data) return;
    const found: Record<string, Saved> = {};
    const shown: Record<string, string> = {};
    const byAge = [...earlier.data].sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
    for (const item of items) {
      const last = byAge.filter((f) => f.key === item.feedback_key).pop();
      if (!last) continue;
      const score = typeof last.score === "boolean" ? Number(last.score) : (last.score ?? null);
      const value = typeof last.value === "string" ? last.value : null;
      found[item.feedback_key] = { id: last.id, score, value };
      ids.current.set(item.feedback_key, last.id);
      shown[item.feedback_key] = draftFor(widgetFor(configs.get(item.feedback_key), item), { score, value });
    }
    setSaved((now) => ({ ...found, ...now }));
    setDrafts((now) => ({ ...shown, ...now }));
    // Once per answer from the server; the reviewer's own edits win over what it said.
  }, [earlier.data]);
  const idFor = (key: string) => {
    if (!ids.current.has(key)) ids.current.set(key, newId());
    return ids.current.get(key) as string;
  };

  const answers = (): { answers: [string, Answer][]; error?: string } => {
    const out: [string, Answer][] = [];
    for (const item of items) {
      const key = item.feedback_key;
      const parsed = answerFor(widgetFor(configs.get(key), item), drafts[key] ?? "", key);
      if (parsed.error) return { answers: [], error: parsed.error };
      out.push([key, parsed.answer]);
    }
    return { answers: out };
  };

  const saveAll = useMutation(async (given: [string, Answer][]) => {
    const next: Record<string, Saved> = { ...saved };
    for (const [key, answer] of given) {
      if (!answer) continue;
      const before = saved[key];
      if (before && before.score === answer.score && before.value === answer.value) continue;
      const body = { score: answer.score, value: answer.value };
      if (before) await api({ path: `/feedback/${before.id}`, method: "PATCH", body });
      else
        await api({
          path: "/feedback",
          method: "POST",
          body: {
            ...body,
            id: idFor(key),
            key,
            run_id: run.id,
            trace_id: run.trace_id,
            session_id: run.session_id,
            feedback_source: { type: "app", metadata: { annotation_queue_id: queue.id } },
          },
        });
      next[key] = { id: idFor(key), ...answer };
      setSaved({ ...next });
    }
    invalidate("/feedback");
    return next;
  });
  const markDone = useMutation(() =>
    api<{ progress?: Progress }>({ path: `${queuePath(queue.id)}/runs/${run.queue_run_id}`, method: "PATCH", body: { status: "completed" } }),
  );

  const save = async (): Promise<Record<string, Saved> | undefined> => {
    const checked = answers();
    setProblem(checked.error ?? null);
    if (checked.error) return undefined;
    return saveAll.mutate(checked.answers);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await save();
  };
  const done = async () => {
    const stored = await save();
    if (!stored) return;
    const missing = items.find((item) => item.is_required && !stored[item.feedback_key]);
    if (missing) {
      setProblem(`${missing.feedback_key} is required before this run is done.`);
      return;
    }
    const answer = await markDone.mutate();
    if (answer) onDone(answer.progress);
  };
  const onKey = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      void done();
    }
  };
  const pending = saveAll.pending || markDone.pending;
  const savedCount = Object.keys(saved).length;

  return (
    <form className="review-rubric" aria-label="Review" onSubmit={submit} onKeyDownCapture={onKey} noValidate>
      <h2>Rubric</h2>
      {queue.rubric_instructions ? (
        <p className="review-instructions">{queue.rubric_instructions}</p>
      ) : (
        <p className="muted review-instructions">No instructions for this queue.</p>
      )}
      {items.length === 0 ? (
        <p className="muted">This queue has no feedback keys: add feedback in the run's Feedback tab, then mark it done.</p>
      ) : (
        <div className="review-keys">
          {items.map((item, i) => {
            const key = item.feedback_key;
            const widget = widgetFor(configs.get(key), item);
            return (
              <FeedbackField
                key={key}
                id={`${uid}-${i}`}
                label={
                  <>
                    <span className="mono">{key}</span>
                    {item.is_required && <span className="err-text"> *</span>}
                    {saved[key] && <span className="badge ok review-saved">saved</span>}
                  </>
                }
                hint={item.description}
                widget={widget}
                draft={drafts[key] ?? ""}
                onDraft={(draft) => setDrafts((all) => ({ ...all, [key]: draft }))}
                invalid={problem?.startsWith(`${key}:`)}
                autoFocus={canWrite && i === 0}
              />
            );
          })}
        </div>
      )}
      <FormError error={problem} />
      <FormError error={saveAll.error ?? markDone.error} />
      {canWrite ? (
        <>
          <div className="row">
            {items.length > 0 && (
              <button type="submit" className="btn" disabled={pending}>
                {saveAll.pending ? "Saving…" : "Save feedback"}
              </button>
            )}
            <span className="spacer" />
            <button type="button" className="btn btn-primary" disabled={pending} onClick={() => void done()}>
              {markDone.pending ? "Moving on…" : "Done"}
            </button>
          </div>
          <p className="muted review-shortcuts" role="status">
            {savedCount > 0 ? `${savedCount} of ${items.length} keys saved. ` : ""}
            <kbd>1</kbd>–<kbd>9</kbd> pick, <kbd>Tab</kbd> next key, <kbd>Enter</kbd> save, <kbd>Ctrl</kbd>+<kbd>Enter</kbd> done
          </p>
        </>
      ) : (
        <p className="muted">Viewers can read the queue; an editor or admin reviews it.</p>
      )}
    </form>
  );
}
