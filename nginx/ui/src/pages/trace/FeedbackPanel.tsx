import { useCallback, useId, useRef, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import type { Feedback } from "../../api/types";
import { useWorkspace } from "../../auth/AuthContext";
import { Async, EmptyState, FormError } from "../../components/States";
import { answerFor, rangeText, widgetFor, type FeedbackConfig } from "../../components/feedback/config";
import { FeedbackField } from "../../components/feedback/FeedbackField";
import { useFeedbackConfigs } from "../../components/feedback/useFeedbackConfigs";
import { formatRelative, formatTime, preview } from "../../lib/format";

/** A v4 UUID; crypto.randomUUID needs a secure context, which a LAN http:// appliance may not be. */
export function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** "" → null (no score); otherwise a finite number or an error message. */
function parseScore(text: string): { score: number | null; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { score: null };
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return { score: null, error: "Score must be a number (e.g. 1, 0, 0.75)." };
  return { score: n };
}

function scoreText(score: Feedback["score"]): string {
  if (score === null || score === undefined) return "";
  if (typeof score === "boolean") return score ? "1" : "0";
  return String(score);
}

function sortFeedback(list: Feedback[]): Feedback[] {
  return [...list].sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
}

function EditForm({ item, onDone, onSaved }: { item: Feedback; onDone: () => void; onSaved: (f: Feedback) => void }) {
  const uid = useId();
  const [score, setScore] = useState(scoreText(item.score));
  const [comment, setComment] = useState(item.comment ?? "");
  const [invalid, setInvalid] = useState<string>();
  const save = useMutation(
    useCallback(
      (body: Record<string, unknown>) => api<Feedback>({ path: `/feedback/${item.id}`, method: "PATCH", body }),
      [item.id],
    ),
  );
  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseScore(score);
    setInvalid(parsed.error);
    if (parsed.error) return;
    const updated = await save.mutate({ score: parsed.score, comment: comment.trim() === "" ? null : comment });
    if (updated) {
      onSaved(updated);
      onDone();
    }
  }
  return (
    <form className="fb-form fb-edit" onSubmit={submit} aria-label={`Edit feedback ${item.key}`}>
      <div className="fb-form-row">
        <label className="field fb-score-field" htmlFor={`${uid}-score`}>
          <span>Score</span>
          <input id={`${uid}-score`} inputMode="decimal" value={score} onChange={(e) => setScore(e.target.value)} autoFocus />
        </label>
        <label className="field fb-comment-field" htmlFor={`${uid}-comment`}>
          <span>Comment</span>
          <input id={`${uid}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
      </div>
      <FormError error={invalid} />
      <FormError error={save.error} />
      <div className="row">
        <button type="submit" className="btn btn-primary btn-small" disabled={save.pending}>
          {save.pending ? "Saving…" : "Save"}
        </button>
        <button type="button" className="btn btn-small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function FeedbackItem({
  item,
  canWrite,
  onSaved,
  onDeleted,
}: {
  item: Feedback;
  canWrite: boolean;
  onSaved: (f: Feedback) => void;
  onDeleted: (id: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(
    useCallback(() => api<{ id: string }>({ path: `/feedback/${item.id}`, method: "DELETE" }), [item.id]),
  );
  const score = scoreText(item.score);
  return (
    <li className="fb-item">
      <div className="fb-item-head">
        <span className="badge accent">{item.key}</span>
        {score !== "" && (
          <span className="fb-score mono" title="Score">
            {score}
          </span>
        )}
        {item.value !== null && item.value !== undefined && item.value !== "" && (
          <span className="mono muted" title="Value">
            {preview(item.value, 60)}
          </span>
        )}
        <span className="spacer" />
        <span className="muted fb-meta" title={formatTime(item.modified_at ?? item.created_at)}>
          {item.feedback_source?.type ?? "api"} · {formatRelative(item.modified_at ?? item.created_at)}
        </span>
        {canWrite && !editing && (
          <>
            <button type="button" className="btn btn-small btn-quiet" aria-label={`Edit feedback ${item.key}`} onClick={() => setEditing(true)}>
              Edit
            </button>
            {confirming ? (
              <>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  disabled={remove.pending}
                  onClick={async () => {
                    const done = await remove.mutate();
                    if (done !== undefined) onDeleted(item.id);
                  }}
                >
                  {remove.pending ? "Deleting…" : "Confirm delete"}
                </button>
                <button type="button" className="btn btn-small btn-quiet" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button
                type="button"
                className="btn btn-small btn-quiet btn-danger"
                aria-label={`Delete feedback ${item.key}`}
                onClick={() => setConfirming(true)}
              >
                Delete
              </button>
            )}
          </>
        )}
      </div>
      {item.comment && !editing && <p className="fb-comment">{item.comment}</p>}
      {editing && <EditForm item={item} onDone={() => setEditing(false)} onSaved={onSaved} />}
      <FormError error={remove.error} />
    </li>
  );
}

function AddForm({
  runId,
  traceId,
  sessionId,
  configs,
  onAdded,
}: {
  runId: string;
  traceId?: string;
  sessionId?: string;
  configs: Map<string, FeedbackConfig>;
  onAdded: (f: Feedback) => void;
}) {
  const uid = useId();
  const [key, setKey] = useState("");
  const [draft, setDraft] = useState("");
  const [comment, setComment] = useState("");
  const [invalid, setInvalid] = useState<string>();
  // The key's config shapes the score input (a range, categories, free text); typing another key
  // starts its draft afresh, since a category index or a text means nothing to another shape.
  const trimmedKey = key.trim();
  const config = configs.get(trimmedKey);
  const widget = widgetFor(config);
  const changeKey = (next: string) => {
    if (configs.get(next.trim()) !== config) setDraft("");
    setKey(next);
  };
  // One id per submission: a retry after a network error re-sends the same id, so the server
  // (idempotent by id) never records it twice. A new id only after a success.
  const pendingId = useRef<string>(newId());
  const create = useMutation(
    useCallback((body: Record<string, unknown>) => api<Feedback>({ path: "/feedback", method: "POST", body }), []),
  );
  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = answerFor(widget, draft, "Score");
    const problem = !trimmedKey ? "Key is required (e.g. correctness)." : trimmedKey.length > 512 ? "Key is too long (512 characters at most)." : parsed.error;
    setInvalid(problem);
    if (problem) return;
    const created = await create.mutate({
      id: pendingId.current,
      run_id: runId,
      trace_id: traceId,
      session_id: sessionId,
      key: trimmedKey,
      score: parsed.answer?.score ?? null,
      value: parsed.answer?.value ?? undefined,
      comment: comment.trim() || null,
      feedback_source: { type: "app" },
    });
    if (created) {
      pendingId.current = newId();
      setDraft("");
      setComment("");
      onAdded(created);
    }
  }
  const label = widget.kind === "categorical" ? "Category" : widget.kind === "freeform" ? "Value" : "Score";
  return (
    <form className="fb-form" onSubmit={submit} aria-label="Add feedback" noValidate>
      <h3>Add feedback</h3>
      <div className="fb-form-row">
        <label className="field fb-key-field" htmlFor={`${uid}-key`}>
          <span>Key</span>
          <input
            id={`${uid}-key`}
            value={key}
            onChange={(e) => changeKey(e.target.value)}
            placeholder="correctness"
            list={configs.size > 0 ? `${uid}-keys` : undefined}
            required
            aria-invalid={invalid?.startsWith("Key") || undefined}
          />
          {configs.size > 0 && (
            <datalist id={`${uid}-keys`}>
              {[...configs.keys()].map((k) => (
                <option key={k} value={k} />
              ))}
            </datalist>
          )}
        </label>
        <div className={widget.kind === "continuous" && !rangeText(widget) ? "fb-score-field" : "fb-config-field"}>
          <FeedbackField
            id={`${uid}-score`}
            label={label}
            widget={widget}
            draft={draft}
            onDraft={setDraft}
            invalid={invalid?.startsWith("Score")}
          />
        </div>
        <label className="field fb-comment-field" htmlFor={`${uid}-comment`}>
          <span>Comment (optional)</span>
          <input id={`${uid}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
      </div>
      {config && (
        <p className="muted fb-config-note">
          <span className="badge">{config.type}</span> feedback, as this workspace configures <span className="mono">{trimmedKey}</span>
        </p>
      )}
      <FormError error={invalid} />
      <FormError error={create.error} />
      <div className="row">
        <button type="submit" className="btn btn-primary btn-small" disabled={create.pending}>
          {create.pending ? "Adding…" : "Add feedback"}
        </button>
      </div>
    </form>
  );
}

export function FeedbackPanel({ runId, traceId, sessionId }: { runId: string; traceId?: string; sessionId?: string }) {
  const workspace = useWorkspace();
  const canWrite = workspace.role !== "viewer";
  const state = useApi<Feedback[]>({ path: "/feedback", query: { run: runId, limit: 1000 } });
  const configs = useFeedbackConfigs();
  const list = state.data;
  const update = (next: Feedback[]) => {
    state.setData(sortFeedback(next));
    invalidate("/feedback");
    invalidate("/runs");
  };
  return (
    <div className="stack fb-panel">
      <Async
        state={state}
        label="Loading feedback"
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="No feedback on this run yet">{canWrite ? "Add a score or a comment below." : null}</EmptyState>}
      >
        {(items) => (
          <ul className="fb-list" aria-label="Feedback">
            {sortFeedback(items).map((item) => (
              <FeedbackItem
                key={item.id}
                item={item}
                canWrite={canWrite}
                onSaved={(f) => update((list ?? []).map((x) => (x.id === f.id ? f : x)))}
                onDeleted={(id) => update((list ?? []).filter((x) => x.id !== id))}
              />
            ))}
          </ul>
        )}
      </Async>
      {canWrite ? (
        <AddForm
          runId={runId}
          configs={configs}
          traceId={traceId}
          sessionId={sessionId}
          onAdded={(f) => update([...(list ?? []).filter((x) => x.id !== f.id), f])}
        />
      ) : (
        <p className="muted">Viewers can read feedback; an editor or admin can add it.</p>
      )}
    </div>
  );
}

