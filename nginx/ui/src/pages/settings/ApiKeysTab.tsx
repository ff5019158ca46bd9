import { useEffect, useState, type FormEvent } from "react";
import { useParams } from "react-router-dom";
import { api } from "../../api/client";
import { useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { CopyButton } from "../../components/CopyButton";
import { Dialog, FormDialog } from "../../components/Dialog";
import { Field, InputField } from "../../components/Field";
import { EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, RelativeTime, type Column } from "../../components/Table";
import { formatTime, parseTime } from "../../lib/format";
import { CloseRow, OneTimeSecret, RowButton, SettingsSection, SettingsTable } from "./parts";
import { sdkEnv, type ApiKey, type ApiKeyCreated, type Member } from "./types";

const EXPIRY = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
  { value: "date", label: "On a date…" },
];

function Expiry({ value }: { value: string | null }) {
  const date = parseTime(value);
  if (!date) return <span className="muted">never</span>;
  if (date.getTime() < Date.now()) {
    return (
      <span className="badge err" title={formatTime(value)}>
        expired
      </span>
    );
  }
  const soon = date.getTime() - Date.now() < 7 * 86400_000;
  return (
    <span className={soon ? "badge warn" : undefined} title={formatTime(value)}>
      {date.toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "2-digit" })}
    </span>
  );
}

const KEY_COLUMNS: Column[] = [
  { label: "Name" },
  { label: "Key" },
  { label: "Role" },
  { label: "Created" },
  { label: "Last used" },
  { label: "Expires" },
  ACTIONS_COLUMN,
];

export function ApiKeysTab() {
  const { tenant = "" } = useParams();
  const { role } = useWorkspace();
  const isAdmin = role === "admin";
  // The key list is admin-only; members may still make personal tokens.
  const keys = useApi<ApiKey[]>(isAdmin ? { path: "/api-key" } : null);
  const members = useApi<Member[]>(isAdmin ? { path: `/workspaces/${tenant}/members` } : null);
  const [creating, setCreating] = useState(false);

  const revoke = useConfirmedAction(async (key: ApiKey) => {
    await api({ path: `/api-key/${key.id}`, method: "DELETE" });
    keys.setData((keys.data ?? []).filter((k) => k.id !== key.id));
  });
  const revoking = revoke.target;

  const who = (id: string | null) => {
    if (!id) return null;
    const m = members.data?.find((x) => x.user_id === id);
    return m ? m.display_name || m.email : null;
  };

  return (
    <SettingsSection
      id="keys-heading"
      title="API keys"
      description={
        <>
          The SDK and other clients authenticate with a key. A <strong>service key</strong> has its own role; a{" "}
          <strong>personal token</strong> acts as the person who made it, with their current role.
        </>
      }
      actions={
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          {isAdmin ? "Create key" : "Create personal token"}
        </button>
      }
    >
      {!isAdmin ? (
        <EmptyState title="Only admins can list this workspace's keys">
          You can still create a personal access token for yourself; it is shown once.
        </EmptyState>
      ) : (
        <SettingsTable
          state={keys}
          label="Loading API keys"
          columns={KEY_COLUMNS}
          empty={
            <EmptyState title="No API keys yet">
              Create one to send traces from code. It is shown once, so keep it somewhere safe.
            </EmptyState>
          }
        >
          {(data) =>
            data.map((key) => (
              <tr key={key.id}>
                <td>
                  <strong>{key.name}</strong>
                  {key.kind === "personal" && (
                    <div className="muted small">personal token{who(key.user_id) ? ` of ${who(key.user_id)}` : ""}</div>
                  )}
                </td>
                <td>
                  <code>{key.short_key}</code>
                </td>
                <td>
                  {key.kind === "personal" ? (
                    <span className="badge" title="Acts with its user's current role">
                      as its user
                    </span>
                  ) : (
                    <span className={key.role === "admin" ? "badge warn" : "badge"}>{key.role}</span>
                  )}
                </td>
                <td className="nowrap">
                  <RelativeTime value={key.created_at} />
                  {who(key.created_by) && <div className="muted small">by {who(key.created_by)}</div>}
                </td>
                <td className="nowrap">
                  {key.last_used_at ? <RelativeTime value={key.last_used_at} /> : <span className="muted">never</span>}
                </td>
                <td className="nowrap">
                  <Expiry value={key.expires_at} />
                </td>
                <td className="num">
                  <RowButton danger label={`Revoke key ${key.name} (${key.short_key})`} onClick={() => revoke.ask(key)}>
                    Revoke
                  </RowButton>
                </td>
              </tr>
            ))
          }
        </SettingsTable>
      )}
      <CreateKeyDialog
        open={creating}
        isAdmin={isAdmin}
        onClose={() => setCreating(false)}
        onCreated={(key) => {
          const { key: _secret, ...listed } = key;
          void _secret;
          if (isAdmin) keys.setData([listed, ...(keys.data ?? [])]);
        }}
      />
      <ConfirmAction action={revoke} title="Revoke API key" confirmLabel="Revoke key">
        <p>
          Revoke <strong>{revoking?.name}</strong> (<code>{revoking?.short_key}</code>)?
        </p>
        <p>Every client using it is refused from now on. This cannot be undone.</p>
      </ConfirmAction>
    </SettingsSection>
  );
}

function expiryDate(choice: string, date: string): string | undefined {
  if (choice === "never") return undefined;
  if (choice === "date") return date ? new Date(`${date}T23:59:59`).toISOString() : undefined;
  return new Date(Date.now() + Number(choice) * 86400_000).toISOString();
}

function CreateKeyDialog({
  open,
  isAdmin,
  onClose,
  onCreated,
}: {
  open: boolean;
  isAdmin: boolean;
  onClose: () => void;
  onCreated: (key: ApiKeyCreated) => void;
}) {
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"service" | "personal">(isAdmin ? "service" : "personal");
  const [role, setRole] = useState("editor");
  const [expiry, setExpiry] = useState("never");
  const [date, setDate] = useState("");
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setName("");
    setKind(isAdmin ? "service" : "personal");
    setRole("editor");
    setExpiry("never");
    setDate("");
    setCreated(null);
    setProblem(null);
  }, [open, isAdmin]);

  const create = useMutation(async () => {
    const body = {
      name: name.trim(),
      expires_at: expiryDate(expiry, date),
      ...(kind === "service" ? { role } : {}),
    };
    return api<ApiKeyCreated>({
      path: kind === "service" ? "/api-key" : "/api-key/personal",
      method: "POST",
      body,
    });
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (expiry === "date") {
      const d = date ? new Date(`${date}T23:59:59`) : null;
      if (!d || d.getTime() < Date.now()) {
        setProblem("Pick an expiry date in the future.");
        return;
      }
    }
    setProblem(null);
    const key = await create.mutate();
    if (key) {
      setCreated(key);
      onCreated(key);
    }
  };

  if (created) {
    return (
      <Dialog open={open} title="Your new API key" onClose={onClose} wide>
        <div className="key-warning" role="alert">
          <strong>Copy this key now.</strong> It is shown only this once; Tracehouse keeps only a hash of it. If you lose
          it, revoke it and create another.
        </div>
        <OneTimeSecret
          labelId="new-key-label"
          label={
            <>
              {created.name} · {created.kind === "personal" ? "personal token" : `${created.role} key`}
              {created.expires_at ? ` · expires ${formatTime(created.expires_at)}` : ""}
            </>
          }
          value={created.key}
          copyLabel="Copy key"
        />
        <div className="field">
          <span>Use it from the SDK</span>
          <pre className="env-snippet">{sdkEnv(created.key)}</pre>
          <div className="row">
            <CopyButton text={sdkEnv(created.key)} label="Copy environment" />
          </div>
        </div>
        <CloseRow label="I have saved it" onClose={onClose} />
      </Dialog>
    );
  }

  return (
    <FormDialog
      open={open}
      title={isAdmin ? "Create API key" : "Create personal token"}
      onClose={onClose}
      onSubmit={submit}
      errors={[problem, create.error]}
      submitLabel="Create key"
      pendingLabel="Creating…"
      pending={create.pending}
    >
      <InputField
        label="Name"
        autoFocus
        value={name}
        maxLength={200}
        placeholder="e.g. ci-evals, prod-tracing"
        onValue={setName}
      />
      {isAdmin && (
        <fieldset className="field plain">
          <legend>Kind</legend>
          <label className="checkbox">
            <input type="radio" name="kind" checked={kind === "service"} onChange={() => setKind("service")} />
            Service key — has its own role; for apps and CI
          </label>
          <label className="checkbox">
            <input type="radio" name="kind" checked={kind === "personal"} onChange={() => setKind("personal")} />
            Personal token — acts as you, with your role
          </label>
        </fieldset>
      )}
      {kind === "service" && (
        <Field label="Role">
          <select value={role} onChange={(event) => setRole(event.target.value)}>
            <option value="viewer">Viewer — read only</option>
            <option value="editor">Editor — send traces, write data</option>
            <option value="admin">Admin — also manage keys, members, providers</option>
          </select>
        </Field>
      )}
      <div className="row wrap">
        <Field label="Expires">
          <select value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRY.map((e) => (
              <option key={e.value} value={e.value}>
                {e.label}
              </option>
            ))}
          </select>
        </Field>
        {expiry === "date" && (
          <Field label="Expiry date">
            <input type="date" value={date} onChange={(event) => setDate(event.target.value)} required />
          </Field>
        )}
      </div>
    </FormDialog>
  );
}
