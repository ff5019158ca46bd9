import { useEffect, useState, type FormEvent } from "react";
import { useParams } from "react-router-dom";
import { api } from "../../api/client";
import { useApi, useMutation } from "../../api/hooks";
import { useAuth, useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { Dialog, FormDialog } from "../../components/Dialog";
import { Field, InputField } from "../../components/Field";
import { EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, RelativeTime } from "../../components/Table";
import { formatTime } from "../../lib/format";
import { CloseRow, OneTimeSecret, RowButton, SettingsSection, SettingsTable } from "./parts";
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
    <Field label="Role">
      <RoleSelect label="Role" value={value} onChange={onChange} />
      <small className="muted">{ROLES.find((r) => r.value === value)?.hint}</small>
    </Field>
  );
}

export function MembersTab() {
  const { tenant = "" } = useParams();
  const { role } = useWorkspace();
  const { me, refresh } = useAuth();
  const isAdmin = role === "admin";
  const members = useApi<Member[]>({ path: `/workspaces/${tenant}/members` });
  const [adding, setAdding] = useState<"user" | "invite" | null>(null);
  const [errorRow, setErrorRow] = useState<string | null>(null);

  const changeRole = useMutation(async (member: Member, next: Role) => {
    await api({ path: `/workspaces/${tenant}/members/${member.user_id}`, method: "PATCH", body: { role: next } });
    members.setData((members.data ?? []).map((m) => (m.user_id === member.user_id ? { ...m, role: next } : m)));
    if (member.user_id === me?.user?.id) void refresh(); // one's own role changed: the UI follows
    return true;
  });
  const remove = useConfirmedAction(async (member: Member) => {
    await api({ path: `/workspaces/${tenant}/members/${member.user_id}`, method: "DELETE" });
    members.setData((members.data ?? []).filter((m) => m.user_id !== member.user_id));
  });
  const removing = remove.target;

  return (
    <SettingsSection
      id="members-heading"
      title="Members"
      description={
        isAdmin
          ? "People who can log in to this workspace, and what they may do."
          : "People who can log in to this workspace. Only admins can change roles or add people."
      }
      actions={
        isAdmin && (
          <div className="row">
            <button type="button" className="btn" onClick={() => setAdding("invite")}>
              Invite by link
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setAdding("user")}>
              Add user
            </button>
          </div>
        )
      }
    >
      <SettingsTable
        state={members}
        label="Loading members"
        columns={[{ label: "Person" }, { label: "Role" }, { label: "Member since" }, isAdmin && ACTIONS_COLUMN]}
        empty={<EmptyState title="No members">Nobody can log in to this workspace yet.</EmptyState>}
      >
        {(data) =>
          data.map((member) => {
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
                  <RelativeTime value={member.created_at} />
                </td>
                {isAdmin && (
                  <td className="num">
                    <RowButton danger label={`Remove ${name} from the workspace`} onClick={() => remove.ask(member)}>
                      Remove
                    </RowButton>
                  </td>
                )}
              </tr>
            );
          })
        }
      </SettingsTable>
      <ConfirmAction action={remove} title="Remove member" confirmLabel="Remove">
        <p>
          Remove <strong>{removing?.display_name || removing?.email}</strong> from this workspace?
          {removing?.user_id === me?.user?.id && " That is you: you will lose access to it."}
        </p>
        <p className="muted">Their account stays; their personal tokens stop working here.</p>
      </ConfirmAction>
      <AddUserDialog
        open={adding === "user"}
        onClose={() => setAdding(null)}
        onAdded={() => members.reload()}
      />
      <InviteDialog open={adding === "invite"} onClose={() => setAdding(null)} />
    </SettingsSection>
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
    <FormDialog
      open={open}
      title="Add user"
      onClose={onClose}
      onSubmit={submit}
      errors={[add.error]}
      submitLabel="Add user"
      pendingLabel="Adding…"
      pending={add.pending}
    >
      <p className="muted">
        Creates an account with a password you choose and adds it to this workspace. Tell them the password over a safe
        channel. To let people pick their own password, invite them by link instead.
      </p>
      <InputField label="Email" type="email" required autoFocus value={email} onValue={setEmail} />
      <InputField label="Display name (optional)" value={displayName} onValue={setDisplayName} />
      <InputField
        label="Initial password"
        type="password"
        required
        autoComplete="new-password"
        value={password}
        onValue={setPassword}
      />
      <RoleField value={role} onChange={setRole} />
    </FormDialog>
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
        <OneTimeSecret
          labelId="invite-link-label"
          label="Invitation link (they choose their name and password there)"
          value={invite.invite_url}
          copyLabel="Copy link"
        />
        <p className="muted">
          Without the UI, they can accept with <code>POST {invite.accept_url}</code> and a JSON body{" "}
          <code>{'{"password": "…", "display_name": "…"}'}</code>; an existing account just joins.
        </p>
        <CloseRow label="Done" onClose={onClose} />
      </Dialog>
    );
  }

  return (
    <FormDialog
      open={open}
      title="Invite by link"
      onClose={onClose}
      onSubmit={submit}
      errors={[create.error]}
      submitLabel="Create invitation"
      pendingLabel="Creating…"
      pending={create.pending}
    >
      <p className="muted">
        Makes a one-time invitation for an email address, valid for 7 days. The person sets their own password when they
        accept it.
      </p>
      <InputField label="Email" type="email" required autoFocus value={email} onValue={setEmail} />
      <RoleField value={role} onChange={setRole} />
    </FormDialog>
  );
}
