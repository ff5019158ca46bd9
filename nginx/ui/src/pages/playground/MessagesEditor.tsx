import { useLayoutEffect, useRef, type TextareaHTMLAttributes } from "react";
import { message, parseTemplate, ROLES, type EditorMessage, type MessageKind, type VariableInfo } from "./template";

/** A textarea that grows with its content (up to a cap, then it scrolls). */
export function AutoTextarea(props: TextareaHTMLAttributes<HTMLTextAreaElement> & { value: string }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight + 2, 480)}px`;
  }, [props.value]);
  return <textarea ref={ref} rows={2} {...props} />;
}

const ROLE_LABELS: Record<MessageKind, string> = {
  system: "System",
  user: "User",
  assistant: "Assistant",
  tool: "Tool",
  placeholder: "Placeholder",
};

export function MessagesEditor({
  messages,
  onChange,
  disabled,
}: {
  messages: EditorMessage[];
  onChange: (messages: EditorMessage[]) => void;
  disabled?: boolean;
}) {
  const update = (id: string, patch: Partial<EditorMessage>) =>
    onChange(messages.map((m) => (m.id === id ? { ...m, ...patch } : m)));
  const move = (index: number, by: number) => {
    const next = [...messages];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item);
    onChange(next);
  };
  const add = () => {
    const last = messages[messages.length - 1];
    const role: MessageKind = !last || last.role === "assistant" || last.role === "system" ? "user" : "assistant";
    onChange([...messages, message(role)]);
  };

  return (
    <section className="card pg-section" aria-labelledby="pg-messages-title">
      <div className="pg-section-head">
        <h2 id="pg-messages-title">Messages</h2>
        <span className="muted pg-hint">
          <code>{"{name}"}</code> is a variable; <code>{"{{ }}"}</code> are literal braces
        </span>
      </div>
      {messages.length === 0 && <p className="muted">No messages yet. Add one to start.</p>}
      <ol className="pg-messages">
        {messages.map((m, index) => {
          const error = m.role === "placeholder" ? null : parseTemplate(m.content).error;
          const n = index + 1;
          return (
            <li key={m.id} className={`pg-message role-${m.role}`}>
              <div className="pg-message-head">
                <select
                  aria-label={`Role of message ${n}`}
                  value={m.role}
                  disabled={disabled}
                  onChange={(e) => update(m.id, { role: e.target.value as MessageKind })}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                  <option value="placeholder">{ROLE_LABELS.placeholder}</option>
                </select>
                {m.role === "tool" && (
                  <input
                    className="pg-tool-call-id"
                    aria-label={`Tool call id of message ${n}`}
                    placeholder="tool_call_id"
                    value={m.tool_call_id ?? ""}
                    disabled={disabled}
                    onChange={(e) => update(m.id, { tool_call_id: e.target.value })}
                  />
                )}
                <span className="spacer" />
                <button
                  type="button"
                  className="btn btn-quiet btn-small"
                  aria-label={`Move message ${n} up`}
                  title="Move up"
                  disabled={disabled || index === 0}
                  onClick={() => move(index, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-quiet btn-small"
                  aria-label={`Move message ${n} down`}
                  title="Move down"
                  disabled={disabled || index === messages.length - 1}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="btn btn-quiet btn-small btn-danger"
                  aria-label={`Remove message ${n}`}
                  title="Remove"
                  disabled={disabled}
                  onClick={() => onChange(messages.filter((x) => x.id !== m.id))}
                >
                  ✕
                </button>
              </div>
              {m.role === "placeholder" ? (
                <label className="pg-placeholder">
                  <span className="muted">Variable holding a list of messages</span>
                  <input
                    aria-label={`Placeholder variable of message ${n}`}
                    value={m.content}
                    disabled={disabled}
                    onChange={(e) => update(m.id, { content: e.target.value })}
                  />
                </label>
              ) : (
                <AutoTextarea
                  aria-label={`Content of message ${n} (${ROLE_LABELS[m.role]})`}
                  aria-invalid={error ? true : undefined}
                  className="pg-message-text"
                  placeholder={m.role === "system" ? "You are a helpful assistant." : "Write a message…"}
                  value={m.content}
                  disabled={disabled}
                  onChange={(e) => update(m.id, { content: e.target.value })}
                />
              )}
              {m.tool_calls && m.tool_calls.length > 0 && (
                <div className="pg-message-tools">
                  {m.tool_calls.map((call) => (
                    <div key={call.id} className="pg-tool-chip mono">
                      {call.function.name}({call.function.arguments}) <span className="muted">id {call.id}</span>
                    </div>
                  ))}
                </div>
              )}
              {error && (
                <p className="form-error pg-field-error" role="alert">
                  {error}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button type="button" className="btn btn-small" onClick={add} disabled={disabled}>
          + Add message
        </button>
      </div>
    </section>
  );
}

export function VariablesEditor({
  variables,
  values,
  onChange,
  disabled,
}: {
  variables: VariableInfo[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  disabled?: boolean;
}) {
  return (
    <section className="card pg-section" aria-labelledby="pg-variables-title">
      <div className="pg-section-head">
        <h2 id="pg-variables-title">Variables</h2>
        {variables.length > 0 && <span className="muted pg-hint">{variables.length} in the messages</span>}
      </div>
      {variables.length === 0 ? (
        <p className="muted pg-empty-line">
          None. Write <code>{"{question}"}</code> in a message to add a variable.
        </p>
      ) : (
        <div className="pg-variables">
          {variables.map((v) => (
            <label key={v.name} className="field">
              <span className="mono">
                {v.name}
                {v.kind === "messages" && <span className="muted"> — JSON list of messages</span>}
              </span>
              <AutoTextarea
                value={values[v.name] ?? ""}
                disabled={disabled}
                placeholder={v.kind === "messages" ? '[{"role": "user", "content": "hi"}]' : `Value of ${v.name}`}
                className={v.kind === "messages" ? "mono" : undefined}
                onChange={(e) => onChange({ ...values, [v.name]: e.target.value })}
              />
            </label>
          ))}
        </div>
      )}
    </section>
  );
}
