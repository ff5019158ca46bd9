import { JsonView } from "../../components/JsonView";
import { parseManifest, type BoundModel, type ParsedManifest, type PromptMessage } from "./manifest";
import { TemplateText } from "./TemplateText";

const ROLE_LABEL: Record<string, string> = {
  system: "System",
  human: "Human",
  ai: "AI",
  tool: "Tool",
  function: "Function",
  placeholder: "Placeholder",
};

function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function MessageCard({ message, index }: { message: PromptMessage; index: number }) {
  const label = ROLE_LABEL[message.role] ?? message.role;
  if (message.kind === "placeholder") {
    return (
      <li className="msg msg-placeholder" aria-label={`Message ${index + 1}: placeholder`}>
        <div className="msg-head">
          <span className="msg-role role-placeholder">{label}</span>
          {message.optional && <span className="badge">optional</span>}
        </div>
        <div className="msg-body muted">
          A list of messages from the variable <mark className="tpl-var">{message.variables[0]}</mark> goes here.
        </div>
      </li>
    );
  }
  return (
    <li className={`msg role-${message.role}`} aria-label={`Message ${index + 1}: ${label}`}>
      <div className="msg-head">
        <span className={`msg-role role-${message.role}`}>{label}</span>
        {message.kind === "message" && <span className="badge">fixed message</span>}
      </div>
      <pre className="msg-body">
        {message.template ? (
          <TemplateText text={message.template} format={message.format} />
        ) : (
          <span className="muted">(empty)</span>
        )}
      </pre>
    </li>
  );
}

function ModelCard({ model }: { model: BoundModel }) {
  const params = Object.entries(model.params);
  const bound = Object.entries(model.bound);
  return (
    <section className="card model-card" aria-label="Model">
      <h3>Model</h3>
      <div className="row wrap model-id">
        <strong>{model.model ?? "(model not named)"}</strong>
        <span className="badge">{model.className}</span>
        {model.provider && <span className="badge accent">{model.provider}</span>}
      </div>
      {params.length + bound.length > 0 && (
        <dl className="kv">
          {params.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd className="mono">{valueText(value)}</dd>
            </div>
          ))}
          {bound.map(([key, value]) => (
            <div key={`bind-${key}`}>
              <dt>
                {key} <span className="muted">(bound)</span>
              </dt>
              <dd className="mono">{valueText(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {model.secrets.length > 0 && (
        <p className="muted small">
          Reads {model.secrets.map((s) => <code key={s}>{s}</code>)} from the environment when pulled; the key itself is
          not stored.
        </p>
      )}
    </section>
  );
}

export function VariablesList({ parsed }: { parsed: ParsedManifest }) {
  const optional = parsed.optionalVariables.filter((v) => !parsed.inputVariables.includes(v));
  if (parsed.inputVariables.length === 0 && optional.length === 0) {
    return <p className="muted">No input variables.</p>;
  }
  return (
    <ul className="var-chips" aria-label="Input variables">
      {parsed.inputVariables.map((v) => (
        <li key={v}>
          <mark className="tpl-var">{v}</mark>
        </li>
      ))}
      {optional.map((v) => (
        <li key={v} title="optional">
          <mark className="tpl-var optional">{v}</mark> <span className="muted small">optional</span>
        </li>
      ))}
    </ul>
  );
}

/** A commit's manifest, rendered for what it is (a chat prompt, a string prompt, a prompt + model). */
export function ManifestView({ manifest }: { manifest: unknown }) {
  const parsed = parseManifest(manifest);
  if (parsed.kind === "unknown" && !parsed.model) {
    return (
      <div className="stack">
        <p className="muted">
          This manifest is a <code>{parsed.className || "value"}</code>, not a prompt template this page knows how to
          show; here it is as stored.
        </p>
        <div className="card">
          <JsonView value={manifest} openDepth={3} />
        </div>
      </div>
    );
  }
  return (
    <div className="manifest-grid">
      <section className="stack" aria-label="Template">
        <div className="row">
          <h3>{parsed.kind === "chat" ? "Messages" : "Template"}</h3>
          <span className="badge">{parsed.className}</span>
          {parsed.format !== "f-string" && <span className="badge">{parsed.format}</span>}
        </div>
        {parsed.kind === "chat" ? (
          parsed.messages.length ? (
            <ol className="msg-list">
              {parsed.messages.map((m, i) => (
                <MessageCard key={i} message={m} index={i} />
              ))}
            </ol>
          ) : (
            <p className="muted">This prompt has no messages.</p>
          )
        ) : parsed.template !== null ? (
          <pre className="msg-body card">
            <TemplateText text={parsed.template} format={parsed.format} />
          </pre>
        ) : (
          <p className="muted">No prompt template in this sequence.</p>
        )}
      </section>
      <aside className="stack manifest-side">
        <section className="card" aria-label="Input variables">
          <h3>Input variables</h3>
          <VariablesList parsed={parsed} />
          {Object.keys(parsed.partialVariables).length > 0 && (
            <p className="muted small">
              Pre-filled:{" "}
              {Object.entries(parsed.partialVariables).map(([k, v]) => (
                <code key={k}>
                  {k}={valueText(v)}{" "}
                </code>
              ))}
            </p>
          )}
        </section>
        {parsed.model ? (
          <ModelCard model={parsed.model} />
        ) : (
          <section className="card muted small" aria-label="Model">
            <h3>Model</h3>
            No model saved with this prompt. Push <code>prompt | model</code> to keep the model and its settings with it.
          </section>
        )}
        {parsed.schema !== null && parsed.schema !== undefined && (
          <section className="card" aria-label="Output schema">
            <h3>Output schema</h3>
            <JsonView value={parsed.schema} openDepth={2} />
          </section>
        )}
        {parsed.otherSteps.length > 0 && (
          <section className="card" aria-label="Other steps">
            <h3>Then</h3>
            {parsed.otherSteps.map((s, i) => (
              <span key={i} className="badge">
                {s || "step"}
              </span>
            ))}
          </section>
        )}
      </aside>
    </div>
  );
}
