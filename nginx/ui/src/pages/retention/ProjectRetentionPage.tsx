import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import type { Project } from "../../api/types";
import { useWorkspace } from "../../auth/AuthContext";
import { Field } from "../../components/Field";
import { Async, FormError, Loading } from "../../components/States";
import { useProject } from "../project/ProjectLayout";
import "./retention.css";
import {
  TIER_LABEL,
  daysText,
  effectiveDays,
  parseDays,
  type ProjectRetention,
  type TraceTier,
  type WorkspaceRetention,
} from "./retention";

type TierChoice = TraceTier | "workspace";

/** A project's settings tab: its retention tier and payload days (admins change them). */
export function ProjectRetentionPage() {
  const { project, projectId } = useProject();
  const { role } = useWorkspace();
  const workspace = useApi<WorkspaceRetention>({ path: "/retention" });
  const [saved, setSaved] = useState<ProjectRetention | null>(null);
  if (!project) return <Loading label="Loading project" />;
  const own: ProjectRetention = saved ?? project;
  return (
    <section className="card stack project-retention" aria-labelledby="project-retention-heading">
      <h2 id="project-retention-heading">Data retention</h2>
      <Async state={workspace} label="Loading retention">
        {(ws) => {
          const { tier, days, payloadDays } = effectiveDays(ws, own);
          return (
            <div className="stack">
              <p>
                New traces are kept <strong>{daysText(days)}</strong> ({TIER_LABEL[tier]}
                {own.trace_tier ? "" : ", the workspace's default"})
                {payloadDays < days ? (
                  <>
                    ; their inputs, outputs and attachments <strong>{daysText(payloadDays)}</strong>
                  </>
                ) : null}
                . A trace with feedback, in a dataset or in an annotation queue is kept for the long tier (
                {daysText(Math.max(own.longlived_ttl_days ?? ws.longlived_ttl_days, days))}).
              </p>
              {role === "admin" ? (
                <ProjectRetentionForm
                  projectId={projectId}
                  own={own}
                  onSaved={(updated) => {
                    setSaved(updated);
                    invalidate(`/sessions/${projectId}`);
                  }}
                />
              ) : (
                <p className="muted">Only workspace admins change retention.</p>
              )}
            </div>
          );
        }}
      </Async>
    </section>
  );
}

function ProjectRetentionForm({
  projectId,
  own,
  onSaved,
}: {
  projectId: string;
  own: ProjectRetention;
  onSaved: (p: ProjectRetention) => void;
}) {
  const [tier, setTier] = useState<TierChoice>(own.trace_tier ?? "workspace");
  const [payloadOwn, setPayloadOwn] = useState(own.payload_ttl_days != null);
  const [payloadDays, setPayloadDays] = useState(String(own.payload_ttl_days ?? 30));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    setInvalid(null);
    setDone(false);
  }, [tier, payloadOwn, payloadDays]);
  const save = useMutation((body: ProjectRetention) =>
    api<Project>({ path: `/sessions/${projectId}`, method: "PATCH", body }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = payloadOwn ? parseDays(payloadDays, "Payload retention") : null;
    if (typeof payload === "string") return setInvalid(payload);
    const updated = await save.mutate({ trace_tier: tier === "workspace" ? null : tier, payload_ttl_days: payload });
    if (updated) {
      onSaved({ trace_tier: updated.trace_tier, longlived_ttl_days: updated.longlived_ttl_days, payload_ttl_days: updated.payload_ttl_days });
      setDone(true);
    }
  };
  return (
    <form className="stack" aria-label="Project retention" onSubmit={(event) => void submit(event)}>
      <div className="retention-grid">
        <Field label="Tier">
          <select value={tier} onChange={(e) => setTier(e.target.value as TierChoice)}>
            <option value="workspace">Workspace default</option>
            <option value="longlived">{TIER_LABEL.longlived}</option>
            <option value="shortlived">{TIER_LABEL.shortlived}</option>
          </select>
        </Field>
        <Field label="Payload retention (days)">
          <input inputMode="numeric" value={payloadDays} disabled={!payloadOwn} onChange={(e) => setPayloadDays(e.target.value)} />
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={payloadOwn} onChange={(e) => setPayloadOwn(e.target.checked)} />
        This project's own payload retention (otherwise the workspace's)
      </label>
      <FormError error={invalid ?? save.error} />
      <div className="row">
        {done && (
          <span className="muted" role="status">
            Saved. Applies to traces written from now on.
          </span>
        )}
        <span className="spacer" />
        <button type="submit" className="btn btn-primary" disabled={save.pending}>
          {save.pending ? "Saving…" : "Save retention"}
        </button>
      </div>
    </form>
  );
}
