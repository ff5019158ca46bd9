import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { Dialog, FormDialog } from "../../components/Dialog";
import { Field, InputField } from "../../components/Field";
import { Async, EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, DataTable, RelativeTime, type Column } from "../../components/Table";
import { formatTime } from "../../lib/format";
import { useProject } from "../project/ProjectLayout";
import {
  describeRule,
  formatValue,
  METRIC_LABEL,
  type AlertRule,
  type Comparison,
  type Incident,
  type Metric,
  type Webhook,
} from "./types";
import "./alerts.css";

const PATH = "/alert-rules";

const COLUMNS: Column[] = [
  { label: "Rule" },
  { label: "Condition" },
  { label: "State" },
  { label: "Last value" },
  { label: "Evaluated" },
  ACTIONS_COLUMN,
];

function StateBadge({ rule }: { rule: AlertRule }) {
  if (!rule.enabled) return <span className="badge">disabled</span>;
  if (rule.state === "firing") return <span className="badge err">firing</span>;
  return <span className="badge ok">ok</span>;
}

/** A project's alert rules: their state, create/edit/delete (admins), and each rule's history. */
export default function AlertsPage() {
  const { projectId } = useProject();
  const { role } = useWorkspace();
  const isAdmin = role === "admin";
  const rules = useApi<AlertRule[]>({ path: PATH, query: { project_id: projectId } });
  const webhooks = useApi<Webhook[]>(isAdmin ? { path: "/webhooks" } : null);
  const [editing, setEditing] = useState<AlertRule | "new" | null>(null);
  const [history, setHistory] = useState<AlertRule | null>(null);

  const remove = useConfirmedAction(async (rule: AlertRule) => {
    await api({ path: `${PATH}/${rule.id}`, method: "DELETE" });
    rules.setData((rules.data ?? []).filter((r) => r.id !== rule.id));
    invalidate(PATH);
  });

  const saved = (rule: AlertRule) => {
    const list = rules.data ?? [];
    const exists = list.some((r) => r.id === rule.id);
    rules.setData(exists ? list.map((r) => (r.id === rule.id ? rule : r)) : [...list, rule]);
    invalidate(PATH);
    setEditing(null);
  };

  return (
    <section className="alerts-page stack" aria-labelledby="alerts-heading">
      <div className="section-head">
        <div>
          <h2 id="alerts-heading">Alert rules</h2>
          <p className="muted">
            Each rule is evaluated on a schedule (every minute by default) over its window. It fires after its number of breaches in a row and
            resolves after its number of good evaluations in a row; both are sent to its webhooks once.
          </p>
        </div>
        {isAdmin && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
            New alert rule
          </button>
        )}
      </div>
      <Async
        state={rules}
        label="Loading alert rules"
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState title="No alert rules">
            {isAdmin
              ? "Add one to be told when this project's error rate, latency, spend, traffic or feedback crosses a line."
              : "Ask an admin to add one."}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable className="alerts-table" columns={COLUMNS}>
            {data.map((rule) => (
              <tr key={rule.id}>
                <td>
                  <strong>{rule.name}</strong>
                </td>
                <td>
                  {describeRule(rule)}
                  <div className="muted small">
                    fires after {rule.breaches_to_fire}, resolves after {rule.oks_to_resolve} in a row
                  </div>
                </td>
                <td>
                  <StateBadge rule={rule} />
                </td>
                <td>{rule.last_evaluated_at ? formatValue(rule.metric, rule.last_value) : <span className="muted">–</span>}</td>
                <td className="nowrap">
                  {rule.last_evaluated_at ? <RelativeTime value={rule.last_evaluated_at} /> : <span className="muted">not yet</span>}
                </td>
                <td className="num nowrap">
                  <button type="button" className="btn btn-small" aria-label={`History of ${rule.name}`} onClick={() => setHistory(rule)}>
                    History
                  </button>{" "}
                  {isAdmin && (
                    <>
                      <button type="button" className="btn btn-small" aria-label={`Edit ${rule.name}`} onClick={() => setEditing(rule)}>
                        Edit
                      </button>{" "}
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        aria-label={`Delete ${rule.name}`}
                        onClick={() => remove.ask(rule)}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Async>
      <RuleDialog
        open={editing !== null}
        rule={editing === "new" ? null : editing}
        projectId={projectId}
        webhooks={webhooks.data ?? []}
        onClose={() => setEditing(null)}
        onSaved={saved}
      />
      {history && <HistoryDialog rule={history} onClose={() => setHistory(null)} />}
      <ConfirmAction action={remove} title="Delete alert rule" confirmLabel="Delete rule">
        <p>
          Delete <strong>{remove.target?.name}</strong> and its history? A firing rule sends no resolved event.
        </p>
      </ConfirmAction>
    </section>
  );
}

const METRICS = Object.keys(METRIC_LABEL) as Metric[];
const COMPARISONS: { value: Comparison; label: string }[] = [
  { value: "gt", label: "above (>)" },
  { value: "gte", label: "at or above (≥)" },
  { value: "lt", label: "below (<)" },
  { value: "lte", label: "at or below (≤)" },
];

export function RuleDialog({
  open,
  rule,
  projectId,
  webhooks,
  onClose,
  onSaved,
}: {
  open: boolean;
  rule: AlertRule | null;
  projectId: string;
  webhooks: Webhook[];
  onClose: () => void;
  onSaved: (rule: AlertRule) => void;
}) {
  const [name, setName] = useState("");
  const [metric, setMetric] = useState<Metric>("error_rate");
  const [feedbackKey, setFeedbackKey] = useState("");
  const [windowMinutes, setWindowMinutes] = useState("15");
  const [comparison, setComparison] = useState<Comparison>("gt");
  const [threshold, setThreshold] = useState("");
  const [breaches, setBreaches] = useState("3");
  const [oks, setOks] = useState("3");
  const [hooks, setHooks] = useState<string[]>([]);
  const [enabled, setEnabled] = useState(true);

  useEffect(() => {
    if (!open) return;
    setName(rule?.name ?? "");
    setMetric(rule?.metric ?? "error_rate");
    setFeedbackKey(rule?.feedback_key ?? "");
    setWindowMinutes(String(rule?.window_minutes ?? 15));
    setComparison(rule?.comparison ?? "gt");
    // Error rates are entered in percent, as the table shows them.
    setThreshold(rule ? String(rule.metric === "error_rate" ? rule.threshold * 100 : rule.threshold) : "");
    setBreaches(String(rule?.breaches_to_fire ?? 3));
    setOks(String(rule?.oks_to_resolve ?? 3));
    setHooks(rule?.webhook_ids ?? []);
    setEnabled(rule?.enabled ?? true);
  }, [open, rule]);

  const save = useMutation(async () => {
    const value = Number(threshold);
    const body: Record<string, unknown> = {
      name: name.trim(),
      metric,
      feedback_key: metric === "feedback_avg" ? feedbackKey.trim() : null,
      window_minutes: Number(windowMinutes),
      comparison,
      threshold: metric === "error_rate" ? value / 100 : value,
      breaches_to_fire: Number(breaches),
      oks_to_resolve: Number(oks),
      webhook_ids: hooks,
      enabled,
    };
    if (rule) {
      if (body.feedback_key === null) delete body.feedback_key; // the server clears it with the metric
      return api<AlertRule>({ path: `${PATH}/${rule.id}`, method: "PATCH", body });
    }
    return api<AlertRule>({ path: PATH, method: "POST", body: { ...body, project_id: projectId } });
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await save.mutate();
    if (saved) onSaved(saved);
  };

  const toggle = (id: string, on: boolean) => setHooks((current) => (on ? [...current, id] : current.filter((h) => h !== id)));

  return (
    <FormDialog
      open={open}
      title={rule ? `Edit ${rule.name}` : "New alert rule"}
      onClose={onClose}
      onSubmit={submit}
      errors={[save.error]}
      submitLabel={rule ? "Save" : "Create rule"}
      pendingLabel="Saving…"
      pending={save.pending}
      wide
    >
      <InputField label="Name" autoFocus required maxLength={200} value={name} onValue={setName} />
      <div className="form-grid">
        <Field label="Metric">
          <select value={metric} onChange={(event) => setMetric(event.target.value as Metric)}>
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABEL[m]}
              </option>
            ))}
          </select>
        </Field>
        {metric === "feedback_avg" ? (
          <InputField label="Feedback key" required maxLength={512} value={feedbackKey} onValue={setFeedbackKey} />
        ) : (
          <span />
        )}
        <Field label="Comparison">
          <select value={comparison} onChange={(event) => setComparison(event.target.value as Comparison)}>
            {COMPARISONS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
        <InputField
          label={metric === "error_rate" ? "Threshold (%)" : "Threshold"}
          required
          type="number"
          step="any"
          min={metric === "error_rate" ? 0 : undefined}
          max={metric === "error_rate" ? 100 : undefined}
          value={threshold}
          onValue={setThreshold}
        />
        <InputField label="Window (minutes)" required type="number" min={1} max={10080} value={windowMinutes} onValue={setWindowMinutes} />
        <span />
        <InputField label="Breaches in a row to fire" required type="number" min={1} max={100} value={breaches} onValue={setBreaches} />
        <InputField label="Good evaluations in a row to resolve" required type="number" min={1} max={100} value={oks} onValue={setOks} />
      </div>
      <fieldset className="field plain">
        <legend>Notify</legend>
        {webhooks.length === 0 ? (
          <span className="muted">No webhooks yet: add one in Settings → Webhooks.</span>
        ) : (
          webhooks.map((w) => (
            <label key={w.id} className="checkbox">
              <input type="checkbox" checked={hooks.includes(w.id)} onChange={(event) => toggle(w.id, event.target.checked)} />
              {w.name} {!w.enabled && <span className="muted">(disabled)</span>}
            </label>
          ))
        )}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
        Enabled
      </label>
      <p className="muted small">
        Preview:{" "}
        {describeRule({
          metric,
          feedback_key: feedbackKey || "…",
          comparison,
          threshold: (metric === "error_rate" ? Number(threshold) / 100 : Number(threshold)) || 0,
          window_minutes: Number(windowMinutes) || 0,
        })}
      </p>
    </FormDialog>
  );
}

const HISTORY_COLUMNS: Column[] = [{ label: "Fired" }, { label: "Value" }, { label: "Resolved" }, { label: "Value" }];

function HistoryDialog({ rule, onClose }: { rule: AlertRule; onClose: () => void }) {
  const incidents = useApi<Incident[]>({ path: `${PATH}/${rule.id}/history` });
  return (
    <Dialog open title={`History of ${rule.name}`} onClose={onClose} wide>
      <p className="muted">{describeRule(rule)}</p>
      <Async
        state={incidents}
        label="Loading history"
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="Never fired">This rule has not fired yet.</EmptyState>}
      >
        {(data) => (
          <DataTable className="incidents-table" columns={HISTORY_COLUMNS}>
            {data.map((i) => (
              <tr key={i.id}>
                <td className="nowrap">{formatTime(i.fired_at)}</td>
                <td>{formatValue(rule.metric, i.fired_value)}</td>
                <td className="nowrap">{i.resolved_at ? formatTime(i.resolved_at) : <span className="badge err">still firing</span>}</td>
                <td>{i.resolved_at ? formatValue(rule.metric, i.resolved_value) : ""}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Async>
      <div className="row">
        <span className="spacer" />
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
