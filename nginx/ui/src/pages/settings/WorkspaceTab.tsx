import { useEffect, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useAuth, useWorkspace } from "../../auth/AuthContext";
import { CopyButton } from "../../components/CopyButton";
import { Dialog, DialogForm } from "../../components/Dialog";
import { Async, FormError } from "../../components/States";
import { Field } from "../../components/Field";
import { formatTime } from "../../lib/format";
import { WorkspaceRetentionCard } from "../retention/WorkspaceRetentionCard";
import { HubHandle } from "./HubHandle";
import { sdkEnv, type WorkspaceInfo } from "./types";

export function WorkspaceTab() {
  const { tenant = "" } = useParams();
  const { role } = useWorkspace();
  const { me, refresh } = useAuth();
  const isAdmin = role === "admin";
  const workspaces = useApi<WorkspaceInfo[]>({ path: "/workspaces" });
  const [creating, setCreating] = useState(false);

  return (
    <Async state={workspaces} label="Loading workspace">
      {(list) => {
        const current = list.find((w) => w.id === tenant);
        const env = sdkEnv(undefined, tenant);
        return (
          <div className="stack workspace-tab">
            <section className="card stack" aria-labelledby="ws-heading">
              <h2 id="ws-heading">This workspace</h2>
              <dl className="ws-facts">
                <div>
                  <dt>Name</dt>
                  <dd>
                    {isAdmin && current ? (
                      <RenameForm
                        workspace={current}
                        onRenamed={(updated) => {
                          workspaces.setData(list.map((w) => (w.id === updated.id ? updated : w)));
                          invalidate("/workspaces");
                          void refresh(); // the sidebar's switcher shows the name
                        }}
                      />
                    ) : (
                      <strong>{current?.display_name ?? "–"}</strong>
                    )}
                  </dd>
                </div>
                <div>
                  <dt>ID</dt>
                  <dd className="row">
                    <code>{tenant}</code>
                    <CopyButton text={tenant} accessibleName="Copy workspace ID" />
                  </dd>
                </div>
                <div>
                  <dt>Created</dt>
                  <dd>{formatTime(current?.created_at)}</dd>
                </div>
                <div>
                  <dt>Hub handle</dt>
                  <dd>
                    <HubHandle isAdmin={isAdmin} />
                  </dd>
                </div>
                <div>
                  <dt>Your role</dt>
                  <dd>
                    <span className="badge">{role}</span>
                  </dd>
                </div>
              </dl>
            </section>

            <WorkspaceRetentionCard isAdmin={isAdmin} />

            <section className="card stack" aria-labelledby="sdk-heading">
              <h2 id="sdk-heading">Send traces here</h2>
              <p className="muted">
                The LangSmith SDK (Python or JS) talks to Tracehouse unchanged. Set these in the environment of your app;{" "}
                <Link to={`/o/${tenant}/settings`}>create an API key</Link> for <code>LANGSMITH_API_KEY</code>. The
                workspace ID is needed only with an organization-wide key.
              </p>
              <pre className="env-snippet">{env}</pre>
              <div className="row">
                <CopyButton text={env} label="Copy environment" />
              </div>
            </section>

            <section className="card stack" aria-labelledby="all-ws-heading">
              <div className="section-head">
                <h2 id="all-ws-heading">Your workspaces</h2>
                {isAdmin && (
                  <button type="button" className="btn" onClick={() => setCreating(true)}>
                    New workspace
                  </button>
                )}
              </div>
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>ID</th>
                      <th>Your role</th>
                      <th>Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((w) => {
                      const mine = me?.workspaces?.find((m) => m.id === w.id);
                      return (
                        <tr key={w.id} className={w.id === tenant ? "selected" : undefined}>
                          <td>
                            {w.id === tenant ? (
                              <strong>{w.display_name}</strong>
                            ) : (
                              <Link to={`/o/${w.id}/settings/workspace`}>{w.display_name}</Link>
                            )}{" "}
                            {w.id === tenant && <span className="badge accent">current</span>}
                          </td>
                          <td>
                            <code className="muted">{w.id}</code>
                          </td>
                          <td>{mine ? <span className="badge">{mine.role}</span> : <span className="muted">–</span>}</td>
                          <td className="nowrap">{formatTime(w.created_at)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </section>
            <CreateWorkspaceDialog
              open={creating}
              onClose={() => setCreating(false)}
              onCreated={(created) => {
                workspaces.setData([...list, created]);
                invalidate("/workspaces");
                void refresh();
              }}
            />
          </div>
        );
      }}
    </Async>
  );
}

function RenameForm({ workspace, onRenamed }: { workspace: WorkspaceInfo; onRenamed: (w: WorkspaceInfo) => void }) {
  const [name, setName] = useState(workspace.display_name);
  useEffect(() => setName(workspace.display_name), [workspace.display_name]);
  const rename = useMutation(async () =>
    api<WorkspaceInfo>({ path: `/workspaces/${workspace.id}`, method: "PATCH", body: { name: name.trim() } }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const updated = await rename.mutate();
    if (updated) onRenamed(updated);
  };
  const changed = name.trim() !== workspace.display_name && name.trim() !== "";
  return (
    <form className="stack rename-form" onSubmit={(event) => void submit(event)}>
      <div className="row">
        <input aria-label="Workspace name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="btn" disabled={!changed || rename.pending}>
          {rename.pending ? "Renaming…" : "Rename"}
        </button>
      </div>
      <FormError error={rename.error} />
    </form>
  );
}

function CreateWorkspaceDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (w: WorkspaceInfo) => void;
}) {
  const [name, setName] = useState("");
  const [created, setCreated] = useState<WorkspaceInfo | null>(null);
  useEffect(() => {
    if (!open) return;
    setName("");
    setCreated(null);
  }, [open]);
  const create = useMutation(async () =>
    api<WorkspaceInfo>({ path: "/workspaces", method: "POST", body: { name: name.trim() } }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const w = await create.mutate();
    if (w) {
      setCreated(w);
      onCreated(w);
    }
  };
  return (
    <Dialog open={open} title="New workspace" onClose={onClose}>
      {created ? (
        <div className="stack">
          <p>
            <strong>{created.display_name}</strong> is ready and you are its admin. Its data (projects, datasets, prompts,
            keys) is separate from this workspace's.
          </p>
          <div className="row">
            <span className="spacer" />
            <button type="button" className="btn" onClick={onClose}>
              Stay here
            </button>
            <Link className="btn btn-primary" to={`/o/${created.id}/projects`} onClick={onClose}>
              Open {created.display_name}
            </Link>
          </div>
        </div>
      ) : (
        <DialogForm
          onSubmit={submit}
          errors={[create.error]}
          onCancel={onClose}
          submitLabel="Create workspace"
          pendingLabel="Creating…"
          pending={create.pending}
          disabled={!name.trim()}
        >
          <Field label="Name">
            <input required autoFocus maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <p className="muted small">
            A workspace has its own projects, datasets, prompts, API keys and providers. You become its admin.
          </p>
        </DialogForm>
      )}
    </Dialog>
  );
}
