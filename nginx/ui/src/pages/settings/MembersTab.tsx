import { useEffect, useState, type FormEvent } from "react";
import { useParams } from "react-router-dom";
import { api } from "../../api/client";
import { useApi, useMutation } from "../../api/hooks";
import { useAuth, useWorkspace } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { CopyButton } from "../../components/CopyButton";
import { Dialog, DialogActions } from "../../components/Dialog";
import { Async, EmptyState, FormError } from "../../components/States";
import { formatRelative, formatTime } from "../../lib/format";
import type { InviteCreated, Member, Role } from "./types";

const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: "viewer", label: "Viewer", hint: "reads everything, changes nothing" },
  { value: "editor", label: "Editor", hint: "also writes traces, datasets, prompts" },
  { value: "admin", label: "Admin", hint: "also manages keys, members, providers" },
];

function RoleSelect({
  value,
  onChange,
  label,
  disabled,
}: {
  value: Role;
  onChange: (role: Role) => void;
  label: string;
  disabled?: boolean;
}) {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r.value} value={r.value}>
          {r.label}
        </option>
      ))}
    </select>
  );
}

/** The role picker of the add-user and invite forms, with a line on what the chosen role may do. */
function RoleField({ value, onChange }: { value: Role; onChange: (role: Role) => void }) {
  return (
    <label className="field">
      <span>Role</span>
      <RoleSelect label="Role" value={value} onChange={onChange} />
      <small className="muted">{ROLES.find((r) => r.value === value)?.hint}</small>
    </label>
  );
}

export function MembersTab() {
  const { tenant = "" } = useParams();
  const { role } = useWorkspace();
  const { me, refresh } = useAuth();
  const isAdmin = role === "admin";
  const members = useApi<Member[]>({ path: `/workspaces/${tenant}/members` });
  const [adding, setAdding] = useState<"user" | "invite" | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [errorRow, setErrorRow] = useState<string | null>(null);

  const changeRole = useMutation(async (member: Member, next: Role) => {
    await api({ path: `/workspaces/${tenant}/members/${member.user_id}`, method: "PATCH", body: { role: next } });
    members.setData((members.data ?? []).map((m) => (m.user_id === member.user_id ? { ...m, role: next } : m)));
    if (member.user_id === me?.user?.id) void refresh(); // one's own role changed: the UI follows
    return true;
  });
  const remove = useMutation(async (member: Member) => {
    await api({ path: `/workspaces/${tenant}/members/${member.user_id}`, method: "DELETE" });
    members.setData((members.data ?? []).filter((m) => m.user_id !== member.user_id));
    return true;
  });

  return (
    <section className="stack" aria-labelledby="members-heading">
      <div className="section-head">
        <div>
          <h2 id="members-heading">Members</h2>
          <p className="muted">
            {isAdmin
              ? "People who can log in to this workspace, and what they may do."
              : "People who can log in to this workspace. Only admins can change roles or add people."}
          </p>
        </div>
        {isAdmin && (
          <div className="row">
            <button type="button" className="btn" onClick={() => setAdding("invite")}>
              Invite by link
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setAdding("user")}>
              Add user
            </button>
          </div>
        )}
      </div>
      <Async
        state={members}
        label="Loading members"
        isEmpty={(data) => data.length === 0}
        empty={<EmptyState title="No members">Nobody can log in to this workspace yet.</EmptyState>}
      >
        {(data) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Person</th>
                  <th>Role</th>
                  <th>Member since</th>
                  {isAdmin && (
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {data.map((member) => {
                  const self = member.user_id === me?.user?.id;
                  const name = member.display_name || member.email;
                  return (
                    <tr key={member.user_id}>
                      <td>
                        <strong>{name}</strong> {self && <span className="badge accent">you</span>}
                        {member.display_name && <div className="muted small">{member.email}</div>}
                        {errorRow === member.user_id && changeRole.error && (
                          <div className="form-error small" role="alert">
                            {changeRole.error.message}
                          </div>
                        )}
                      </td>
                      <td>
                        {isAdmin ? (
                          <RoleSelect
                            label={`Role of ${name}`}
                            value={member.role}
                            disabled={changeRole.pending}
                            onChange={async (next) => {
                              setErrorRow(member.user_id);
                              await changeRole.mutate(member, next);
                            }}
                          />
                        ) : (
                          <span className={member.role === "admin" ? "badge warn" : "badge"}>{member.role}</span>
                        )}
                      </td>
                      <td className="nowrap">
                        <span title={formatTime(member.created_at)}>{formatRelative(member.created_at)}</span>
                      </td>
                      {isAdmin && (
                        <td className="num">
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            aria-label={`Remove ${name} from the workspace`}
                            onClick={() => {
                              remove.clearError();
                              setRemoving(member);
                            }}
                          >
                            Remove
                          </button>
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Async>
      <ConfirmDialog
        open={removing !== null}
        title="Remove member"
        confirmLabel="Remove"
        pending={remove.pending}
        error={remove.error}
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing && (await remove.mutate(removing))) setRemoving(null);
        }}
      >
        <p>
          Remove <strong>{removing?.display_name || removing?.email}</strong> from this workspace?
          {removing?.user_id === me?.user?.id && " That is you: you will lose access to it."}
        </p>
        <p className="muted">Their account stays; their personal tokens stop working here.</p>
      </ConfirmDialog>
      <AddUserDialog
        open={adding === "user"}
        onClose={() => setAdding(null)}
        onAdded={() => members.reload()}
      />
      <InviteDialog open={adding === "invite"} onClose={() => setAdding(null)} />
    </section>
  );
}

function AddUserDialog({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  useEffect(() => {
    if (!open) return;
    setEmail("");
    setDisplayName("");
    setPassword("");
    setRole("viewer");
  }, [open]);

  const add = useMutation(async () =>
    api({
      path: "/users",
      method: "POST",
      body: { email: email.trim(), display_name: displayName.trim(), password, role },
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await add.mutate()) {
      onAdded();
      onClose();
    }
  };
  return (
    <Dialog open={open} title="Add user" onClose={onClose}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted">
          Creates an account with a password you choose and adds it to this workspace. Tell them the password over a safe
          channel. To let people pick their own password, invite them by link instead.
        </p>
        <label className="field">
          <span>Email</span>
          <input type="email" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Display name (optional)</span>
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label className="field">
          <span>Initial password</span>
          <input
            type="password"
            required
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <RoleField value={role} onChange={setRole} />
        <FormError error={add.error} />
        <DialogActions onCancel={onClose} submitLabel="Add user" pendingLabel="Adding…" pending={add.pending} />
      </form>
    </Dialog>
  );
}

function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [invite, setInvite] = useState<InviteCreated | null>(null);
  useEffect(() => {
    if (!open) return;
    setEmail("");
    setRole("viewer");
    setInvite(null);
  }, [open]);

  const create = useMutation(async () =>
    api<InviteCreated>({ path: "/invites", method: "POST", body: { email: email.trim(), role } }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await create.mutate();
    if (answer) setInvite(answer);
  };

  if (invite) {
    return (
      <Dialog open={open} title="Invitation created" onClose={onClose} wide>
        <div className="key-warning" role="alert">
          <strong>Send this link to {invite.email} now.</strong> It is shown only once and works once, until{" "}
          {formatTime(invite.expires_at)}. They join as <strong>{invite.role}</strong>.
        </div>
        <div className="field">
          <span id="invite-link-label">Invitation link (they choose their name and password there)</span>
          <div className="row">
            <input
              className="key-value mono"
              aria-labelledby="invite-link-label"
              readOnly
              value={invite.invite_url}
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={invite.invite_url} label="Copy link" className="btn btn-primary" />
          </div>
        </div>
        <p className="muted">
          Without the UI, they can accept with <code>POST {invite.accept_url}</code> and a JSON body{" "}
          <code>{'{"password": "…", "display_name": "…"}'}</code>; an existing account just joins.
        </p>
        <div className="row">
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog open={open} title="Invite by link" onClose={onClose}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted">
          Makes a one-time invitation for an email address, valid for 7 days. The person sets their own password when they
          accept it.
        </p>
        <label className="field">
          <span>Email</span>
          <input type="email" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <RoleField value={role} onChange={setRole} />
        <FormError error={create.error} />
        <DialogActions
          onCancel={onClose}
          submitLabel="Create invitation"
          pendingLabel="Creating…"
          pending={create.pending}
        />
      </form>
    </Dialog>
  );
}
