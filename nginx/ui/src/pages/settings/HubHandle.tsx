import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { FormError } from "../../components/States";
import { TENANT_HANDLE } from "../prompts/api";

interface HubSettings {
  tenant_handle?: string | null;
}

/**
 * The workspace's hub handle: the owner name its public prompts, agents and skills are pulled by
 * (`handle/repo`). Shown to everyone; an admin sets it (once set, public links name it).
 */
export function HubHandle({ isAdmin }: { isAdmin: boolean }) {
  const settings = useApi<HubSettings>({ path: "/settings" });
  const current = settings.data?.tenant_handle ?? null;
  const [editing, setEditing] = useState(false);
  const [handle, setHandle] = useState("");
  const save = useMutation((tenant_handle: string) => api<HubSettings>({ path: "/settings/handle", method: "POST", body: { tenant_handle } }));
  const invalid =
    handle && !TENANT_HANDLE.test(handle) ? "A handle is 3–64 lowercase letters, digits, - or _, starting with a letter." : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid || !handle) return;
    const saved = await save.mutate(handle);
    if (saved !== undefined) {
      invalidate("/settings");
      settings.reload();
      setEditing(false);
    }
  };

  if (!editing) {
    return (
      <span className="row">
        {current ? <code>{current}</code> : <span className="muted">not set (needed to make a prompt public)</span>}
        {isAdmin && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setHandle(current ?? "");
              save.clearError();
              setEditing(true);
            }}
          >
            {current ? "Change" : "Set handle"}
          </button>
        )}
      </span>
    );
  }
  return (
    <form className="stack" onSubmit={submit} aria-label="Hub handle">
      <span className="row">
        <input aria-label="Hub handle" value={handle} onChange={(e) => setHandle(e.target.value.trim())} placeholder="my-team" autoFocus />
        <button type="submit" className="btn btn-small btn-primary" disabled={save.pending || !handle || Boolean(invalid)}>
          {save.pending ? "Saving…" : "Save"}
        </button>
        <button type="button" className="btn btn-small btn-quiet" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </span>
      <FormError error={invalid ?? save.error} />
    </form>
  );
}
