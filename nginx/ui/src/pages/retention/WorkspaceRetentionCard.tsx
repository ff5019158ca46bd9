import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { Async, FormError } from "../../components/States";
import { Field } from "../../components/Field";
import { TIER_LABEL, daysText, parseDays, type TraceTier, type WorkspaceRetention } from "./retention";
import "./retention.css";

/**
 * The workspace's retention: the short and long tiers in days, the tier a project gets unless it
 * chooses, and the payload-first option. Everyone sees it; an admin edits it. Changes apply to
 * traces written from then on.
 */
export function WorkspaceRetentionCard({ isAdmin }: { isAdmin: boolean }) {
  const state = useApi<WorkspaceRetention>({ path: "/retention" });
  const [editing, setEditing] = useState(false);
  return (
    <section className="card stack" aria-labelledby="retention-heading">
      <div className="section-head">
        <div>
          <h2 id="retention-heading">Data retention</h2>
          <p className="muted">
            How long traces are kept. Each project keeps its traces for one tier; a trace that gets feedback, is added to a
            dataset or to an annotation queue is kept for the long tier. Changes apply to traces written from then on.
          </p>
        </div>
        {isAdmin && !editing && state.data && (
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            Change retention
          </button>
        )}
      </div>
      <Async state={state} label="Loading retention">
        {(current) =>
          editing ? (
            <RetentionForm
              current={current}
              onCancel={() => setEditing(false)}
              onSaved={(saved) => {
                state.setData(saved);
                invalidate("/retention");
                setEditing(false);
              }}
            />
          ) : (
            <dl className="ws-facts">
              <div>
                <dt>Short-lived</dt>
                <dd>{daysText(current.shortlived_ttl_days)}</dd>
              </div>
              <div>
                <dt>Long-lived</dt>
                <dd>{daysText(current.longlived_ttl_days)}</dd>
              </div>
              <div>
                <dt>New projects</dt>
                <dd>{TIER_LABEL[current.default_trace_tier]}</dd>
              </div>
              <div>
                <dt>Payloads</dt>
                <dd>
                  {current.payload_ttl_days === null
                    ? "kept as long as their runs"
                    : `inputs, outputs and attachments expire after ${daysText(current.payload_ttl_days)}; tokens, costs and feedback stay`}
                </dd>
              </div>
            </dl>
          )
        }
      </Async>
    </section>
  );
}

function RetentionForm({
  current,
  onCancel,
  onSaved,
}: {
  current: WorkspaceRetention;
  onCancel: () => void;
  onSaved: (saved: WorkspaceRetention) => void;
}) {
  const [tier, setTier] = useState<TraceTier>(current.default_trace_tier);
  const [shortDays, setShortDays] = useState(String(current.shortlived_ttl_days));
  const [longDays, setLongDays] = useState(String(current.longlived_ttl_days));
  const [payloadFirst, setPayloadFirst] = useState(current.payload_ttl_days !== null);
  const [payloadDays, setPayloadDays] = useState(String(current.payload_ttl_days ?? 30));
  const [invalid, setInvalid] = useState<string | null>(null);
  useEffect(() => setInvalid(null), [tier, shortDays, longDays, payloadFirst, payloadDays]);
  const save = useMutation((body: Partial<WorkspaceRetention>) =>
    api<WorkspaceRetention>({ path: "/retention", method: "PATCH", body }),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const short = parseDays(shortDays, "Short-lived");
    const long = parseDays(longDays, "Long-lived");
    const payload = payloadFirst ? parseDays(payloadDays, "Payload retention") : null;
    const problem = [short, long, payload].find((v) => typeof v === "string");
    if (typeof problem === "string") return setInvalid(problem);
    if ((short as number) > (long as number)) return setInvalid("The short-lived tier cannot be longer than the long-lived one.");
    const saved = await save.mutate({
      default_trace_tier: tier,
      shortlived_ttl_days: short as number,
      longlived_ttl_days: long as number,
      payload_ttl_days: payload as number | null,
    });
    if (saved) onSaved(saved);
  };

  return (
    <form className="stack" aria-label="Data retention" onSubmit={(event) => void submit(event)}>
      <div className="retention-grid">
        <Field label="Short-lived tier (days)">
          <input inputMode="numeric" value={shortDays} onChange={(e) => setShortDays(e.target.value)} />
        </Field>
        <Field label="Long-lived tier (days)">
          <input inputMode="numeric" value={longDays} onChange={(e) => setLongDays(e.target.value)} />
        </Field>
        <Field label="Tier of projects that do not choose">
          <select value={tier} onChange={(e) => setTier(e.target.value as TraceTier)}>
            <option value="longlived">{TIER_LABEL.longlived}</option>
            <option value="shortlived">{TIER_LABEL.shortlived}</option>
          </select>
        </Field>
        <Field label="Payload retention (days)">
          <input
            inputMode="numeric"
            value={payloadDays}
            disabled={!payloadFirst}
            onChange={(e) => setPayloadDays(e.target.value)}
          />
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={payloadFirst} onChange={(e) => setPayloadFirst(e.target.checked)} />
        Expire payloads first: keep runs, tokens, costs and feedback for the tier, drop inputs, outputs, events and
        attachments sooner
      </label>
      <FormError error={invalid ?? save.error} />
      <div className="row">
        <span className="spacer" />
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.pending}>
          {save.pending ? "Saving…" : "Save retention"}
        </button>
      </div>
    </form>
  );
}
