import { templateVariables, type DraftMessage } from "./manifest";
import { TemplateText } from "./TemplateText";

const ROLES: { value: DraftMessage["role"]; label: string }[] = [
  { value: "system", label: "System" },
  { value: "human", label: "Human" },
  { value: "ai", label: "AI" },
  { value: "placeholder", label: "Messages placeholder" },
];

/** Edit a chat prompt's messages: role + f-string template, one row per message. */
export function MessagesEditor({
  messages,
  onChange,
}: {
  messages: DraftMessage[];
  onChange: (messages: DraftMessage[]) => void;
}) {
  const update = (index: number, patch: Partial<DraftMessage>) =>
    onChange(messages.map((m, i) => (i === index ? { ...m, ...patch } : m)));
  const move = (index: number, by: number) => {
    const next = [...messages];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item);
    onChange(next);
  };
  const variables = [
    ...new Set(messages.flatMap((m) => (m.role === "placeholder" ? [] : templateVariables(m.text)))),
  ];

  return (
    <div className="messages-editor stack">
      {messages.map((message, index) => (
        <div className="message-edit" key={index}>
          <div className="row">
            <select
              aria-label={`Role of message ${index + 1}`}
              value={message.role}
              onChange={(event) => update(index, { role: event.target.value as DraftMessage["role"] })}
            >
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <span className="spacer" />
            <button
              type="button"
              className="btn btn-quiet btn-small"
              aria-label={`Move message ${index + 1} up`}
              disabled={index === 0}
              onClick={() => move(index, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="btn btn-quiet btn-small"
              aria-label={`Move message ${index + 1} down`}
              disabled={index === messages.length - 1}
              onClick={() => move(index, 1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="btn btn-quiet btn-small btn-danger"
              aria-label={`Remove message ${index + 1}`}
              onClick={() => onChange(messages.filter((_, i) => i !== index))}
            >
              Remove
            </button>
          </div>
          {message.role === "placeholder" ? (
            <input
              aria-label={`Variable of message ${index + 1}`}
              placeholder="history"
              value={message.text}
              onChange={(event) => update(index, { text: event.target.value })}
            />
          ) : (
            <textarea
              aria-label={`Template of message ${index + 1}`}
              rows={message.role === "system" ? 4 : 3}
              placeholder={message.role === "system" ? "You are a helpful assistant." : "{question}"}
              value={message.text}
              onChange={(event) => update(index, { text: event.target.value })}
            />
          )}
        </div>
      ))}
      <div className="row wrap">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => onChange([...messages, { role: messages.length ? "human" : "system", text: "" }])}
        >
          + Message
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => onChange([...messages, { role: "placeholder", text: "history" }])}
        >
          + Placeholder
        </button>
        <span className="spacer" />
        <span className="muted small">
          Variables:{" "}
          {variables.length ? (
            variables.map((v) => (
              <TemplateText key={v} text={`{${v}}`} format="f-string" className="var-list-item" />
            ))
          ) : (
            <>none — write {"{name}"} in a template to add one</>
          )}
        </span>
      </div>
    </div>
  );
}

/** Messages that make a valid prompt: at least one, none empty. */
export function draftProblem(messages: DraftMessage[]): string | null {
  if (messages.length === 0) return "add at least one message";
  const blank = messages.findIndex((m) => !m.text.trim());
  if (blank >= 0) return `message ${blank + 1} is empty`;
  const bad = messages.find((m) => m.role === "placeholder" && !/^\{?[A-Za-z_][\w]*\}?$/.test(m.text.trim()));
  if (bad) return `"${bad.text}" is not a variable name`;
  return null;
}
