import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { Dialog, FormDialog } from "../../components/Dialog";
import { Field, InputField } from "../../components/Field";
import { Async, EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, DataTable, RelativeTime, type Column } from "../../components/Table";
import type { Delivery, Webhook } from "../alerts/types";
import { CloseRow, OneTimeSecret, RowButton, SettingsSection, SettingsTable } from "./parts";

const PATH = "/webhooks";

const COLUMNS: Column[] = [
  { label: "Name" },
  { label: "URL" },
  { label: "Format" },
  { label: "Secret" },
  { label: "State" },
  ACTIONS_COLUMN,
];

type Notice = { id: string; ok: boolean; text: string };

export function WebhooksTab() {
  const { role } = useWorkspace();
  const isAdmin = role === "admin";
  // Admin only, reads too: a webhook URL is often a credential itself (Slack's are).
  const hooks = useApi<Webhook[]>(isAdmin ? { path: PATH } : null);
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [created, setCreated] = useState<Webhook | null>(null);
  const [log, setLog] = useState<Webhook | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const sendTest = async (hook: Webhook) => {
    try {
      await api({ path: `${PATH}/${hook.id}/test`, method: "POST" });
      setNotice({ id: hook.id, ok: true, text: `Test event queued for ${hook.name}; its delivery shows in the log.` });
    } catch (err) {
      setNotice({ id: hook.id, ok: false, text: err instanceof ApiError ? err.message : String(err) });
    }
  };

  const remove = useConfirmedAction(async (hook: Webhook) => {
    await api({ path: `${PATH}/${hook.id}`, method: "DELETE" });
    hooks.setData((hooks.data ?? []).filter((h) => h.id !== hook.id));
    invalidate(PATH);
  });

  const saved = (hook: Webhook) => {
    const { secret, ...listed } = hook;
    const list = hooks.data ?? [];
    const exists = list.some((h) => h.id === hook.id);
    hooks.setData(exists ? list.map((h) => (h.id === hook.id ? listed : h)) : [...list, listed]);
    invalidate(PATH);
    setEditing(null);
    if (secret) setCreated(hook);
  };

  return (
    <SettingsSection
      id="webhooks-heading"
      title="Webhooks"
      description={
        <>
          Where alerts (and later other events) are sent. Every delivery is signed with the webhook's secret
          (<code>X-Tracehouse-Signature</code>), retried when the receiver fails, and logged.
        </>
      }
      actions={
        isAdmin && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
            Add webhook
          </button>
        )
      }
    >
      {!isAdmin ? (
        <EmptyState title="Only admins can manage webhooks">A webhook URL is often a credential, so only admins see them.</EmptyState>
      ) : (
        <SettingsTable
          state={hooks}
          label="Loading webhooks"
          className="webhooks-table"
          columns={COLUMNS}
          empty={<EmptyState title="No webhooks yet">Add one to be told when an alert rule fires and resolves.</EmptyState>}
        >
          {(data) =>
            data.map((h) => (
              <tr key={h.id}>
                <td>
                  <strong>{h.name}</strong>
                  {notice?.id === h.id && (
                    <div className={notice.ok ? "small webhook-notice ok" : "small webhook-notice err"} role="status">
                      {notice.text}
                    </div>
                  )}
                </td>
                <td className="url-cell">
                  <code>{h.url}</code>
                </td>
                <td>
                  <span className="badge">{h.format === "slack" ? "Slack" : "JSON"}</span>
                </td>
                <td>
                  <code title="Only the last characters are shown">{h.secret_hint}</code>
                </td>
                <td>
                  {h.enabled ? <span className="badge ok">enabled</span> : <span className="badge">disabled</span>}
                  {h.storage_events && (
                    <>
                      {" "}
                      <span className="badge" title="Also sent the disk-budget warnings">
                        disk budget
                      </span>
                    </>
                  )}
                </td>
                <td className="num nowrap">
                  <RowButton label={`Send a test event to ${h.name}`} onClick={() => void sendTest(h)}>
                    Send test
                  </RowButton>{" "}
                  <RowButton label={`Delivery log of ${h.name}`} onClick={() => setLog(h)}>
                    Deliveries
                  </RowButton>{" "}
                  <RowButton label={`Edit ${h.name}`} onClick={() => setEditing(h)}>
                    Edit
                  </RowButton>{" "}
                  <RowButton danger label={`Delete ${h.name}`} onClick={() => remove.ask(h)}>
                    Delete
                  </RowButton>
                </td>
              </tr>
            ))
          }
        </SettingsTable>
      )}
      <WebhookDialog
        open={editing !== null}
        webhook={editing === "new" ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={saved}
      />
      {created?.secret && (
        <Dialog open title="Webhook signing secret" onClose={() => setCreated(null)} wide>
          <div className="key-warning" role="alert">
            <strong>Copy this secret now.</strong> Receivers verify deliveries with it; it is not shown again (set a new
            one by editing the webhook).
          </div>
          <OneTimeSecret labelId="webhook-secret-label" label={created.name} value={created.secret} copyLabel="Copy secret" />
          <CloseRow label="I have saved it" onClose={() => setCreated(null)} />
        </Dialog>
      )}
      {log && <DeliveryLog webhook={log} onClose={() => setLog(null)} />}
      <ConfirmAction action={remove} title="Delete webhook" confirmLabel="Delete webhook">
        <p>
          Delete <strong>{remove.target?.name}</strong> and its delivery log? Alert rules stop notifying it.
        </p>
      </ConfirmAction>
    </SettingsSection>
  );
}

function WebhookDialog({
  open,
  webhook,
  onClose,
  onSaved,
}: {
  open: boolean;
  webhook: Webhook | null;
  onClose: () => void;
  onSaved: (webhook: Webhook) => void;
}) {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [format, setFormat] = useState<Webhook["format"]>("json");
  const [secret, setSecret] = useState("");
  const [enabled, setEnabled] = useState(true);
  const [storageEvents, setStorageEvents] = useState(false);

  useEffect(() => {
    if (!open) return;
    setName(webhook?.name ?? "");
    setUrl(webhook?.url ?? "");
    setFormat(webhook?.format ?? "json");
    setSecret("");
    setEnabled(webhook?.enabled ?? true);
    setStorageEvents(webhook?.storage_events ?? false);
  }, [open, webhook]);

  const save = useMutation(async () => {
    const body: Record<string, unknown> = {
      name: name.trim(),
      url: url.trim(),
      format,
      enabled,
      storage_events: storageEvents,
    };
    if (secret) body.secret = secret; // empty: keep the stored one (or, new, have one generated)
    return api<Webhook>(
      webhook ? { path: `${PATH}/${webhook.id}`, method: "PATCH", body } : { path: PATH, method: "POST", body },
    );
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const hook = await save.mutate();
    if (hook) onSaved(hook);
  };

  return (
    <FormDialog
      open={open}
      title={webhook ? `Edit ${webhook.name}` : "Add webhook"}
      onClose={onClose}
      onSubmit={submit}
      errors={[save.error]}
      submitLabel={webhook ? "Save" : "Add webhook"}
      pendingLabel="Saving…"
      pending={save.pending}
    >
      <InputField label="Name" autoFocus required maxLength={200} value={name} onValue={setName} />
      <InputField
        label="URL"
        required
        type="url"
        maxLength={2000}
        placeholder="https://hooks.example.com/tracehouse"
        value={url}
        onValue={setUrl}
      />
      <Field label="Format">
        <select value={format} onChange={(event) => setFormat(event.target.value as Webhook["format"])}>
          <option value="json">JSON event</option>
          <option value="slack">Slack incoming webhook (text and blocks)</option>
        </select>
      </Field>
      <InputField
        label={webhook ? `Signing secret (now ${webhook.secret_hint}; leave empty to keep it)` : "Signing secret (optional)"}
        type="password"
        autoComplete="new-password"
        minLength={16}
        maxLength={200}
        placeholder={webhook ? "" : "Leave empty to have one generated"}
        value={secret}
        onValue={setSecret}
      />
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
        Enabled
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={storageEvents}
          onChange={(event) => setStorageEvents(event.target.checked)}
        />
        Also send disk-budget warnings (the whole installation&apos;s, from STORAGE_BUDGET)
      </label>
    </FormDialog>
  );
}

const LOG_COLUMNS: Column[] = [{ label: "Event" }, { label: "Status" }, { label: "Attempts" }, { label: "Queued" }];

function DeliveryLog({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const deliveries = useApi<Delivery[]>({ path: `${PATH}/${webhook.id}/deliveries` });
  return (
    <Dialog open title={`Deliveries to ${webhook.name}`} onClose={onClose} wide>
      <div className="row">
        <span className="muted">Newest first; each attempt with the receiver's answer.</span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={deliveries.reload}>
          Refresh
        </button>
      </div>
      <Async
        state={deliveries}
        label="Loading deliveries"
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="Nothing delivered yet">Send a test event to try the webhook.</EmptyState>}
      >
        {(data) => (
          <DataTable className="deliveries-table" columns={LOG_COLUMNS}>
            {data.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.event_type}</code>
                  <div className="muted small mono">{d.event_id}</div>
                </td>
                <td>
                  <span className={d.status === "delivered" ? "badge ok" : d.status === "failed" ? "badge err" : "badge warn"}>
                    {d.status}
                  </span>
                </td>
                <td>
                  {d.attempts.length === 0 ? (
                    <span className="muted">not tried yet</span>
                  ) : (
                    <ol className="attempts">
                      {d.attempts.map((a) => (
                        <li key={a.attempt}>
                          {a.status_code ?? "no answer"}
                          {a.error ? <span className="muted"> · {a.error}</span> : null}{" "}
                          <span className="muted small">
                            <RelativeTime value={a.attempted_at} />
                          </span>
                        </li>
                      ))}
                    </ol>
                  )}
                </td>
                <td className="nowrap">
                  <RelativeTime value={d.created_at} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Async>
      <CloseRow label="Close" onClose={onClose} />
    </Dialog>
  );
}
