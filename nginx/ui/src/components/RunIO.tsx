import { useMemo, useState } from "react";
import { JsonView } from "./JsonView";
import { ConversationView } from "./messages/Conversation";
import { Markdown } from "./messages/Markdown";
import { toChat, toConversation, unwrapSingle, type Side } from "./messages/normalize";
import "./messages/messages.css";

export type Attachments = Record<string, { presigned_url: string; mime_type?: string | null }>;

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|svg|bmp|avif)$/i;

function isImage(name: string, mime: string | null | undefined): boolean {
  return mime ? mime.startsWith("image/") : IMAGE_EXT.test(name);
}

/** Attachments of a run or example: images inline, anything else as a download link. */
export function AttachmentList({ attachments }: { attachments: Attachments }) {
  const entries = Object.entries(attachments);
  if (entries.length === 0) return null;
  return (
    <section className="attachments" aria-label="Attachments">
      <div className="runio-label">Attachments</div>
      <ul className="attachment-list">
        {entries.map(([key, a]) => {
          const name = key.replace(/^attachment\./, "");
          return (
            <li key={key}>
              {isImage(name, a.mime_type) ? (
                <figure className="attachment-image">
                  <a href={a.presigned_url} target="_blank" rel="noreferrer noopener">
                    <img src={a.presigned_url} alt={name} loading="lazy" />
                  </a>
                  <figcaption className="mono">{name}</figcaption>
                </figure>
              ) : (
                <a className="attachment-file" href={a.presigned_url} download={name}>
                  <span aria-hidden="true">⤓</span> <span className="mono">{name}</span>
                  {a.mime_type && <span className="muted"> ({a.mime_type})</span>}
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Rendered({ value, side }: { value: unknown; side?: Side }) {
  // A known side also reads question/answer strings ({question, history}, {answer}) as chat.
  const conversation = useMemo(() => (side ? toChat(value, side) : toConversation(value)), [value, side]);
  if (conversation) {
    return (
      <>
        <ConversationView messages={conversation.messages} />
        {conversation.rest && (
          <details className="runio-rest">
            <summary>Other fields ({Object.keys(conversation.rest).join(", ")})</summary>
            <JsonView value={conversation.rest} openDepth={1} />
          </details>
        )}
      </>
    );
  }
  const { key, value: inner } = unwrapSingle(value);
  if (typeof inner === "string") {
    return (
      <>
        {key !== undefined && <div className="runio-key mono">{key}</div>}
        {inner === "" ? <p className="muted">(empty string)</p> : <Markdown text={inner} />}
      </>
    );
  }
  if (typeof inner === "number" || typeof inner === "boolean") {
    return (
      <>
        {key !== undefined && <div className="runio-key mono">{key}</div>}
        <div className="mono">{String(inner)}</div>
      </>
    );
  }
  if (value !== null && typeof value === "object" && Object.keys(value).length === 0) {
    return <p className="muted">Empty</p>;
  }
  return <JsonView value={value} />;
}

/**
 * Renders a run's (or an example's) inputs or outputs for what they are: chat messages as a
 * conversation, text as markdown, anything else as collapsible JSON. The raw JSON is one click away.
 */
/** The side a label names: the trace view passes only "Input"/"Output", the threads view "User"/"Assistant". */
function sideOf(label: string | undefined): Side | undefined {
  if (label === "Input" || label === "User") return "input";
  if (label === "Output" || label === "Assistant") return "output";
  return undefined;
}

export function RunIO({
  value,
  attachments,
  label,
  side,
  plain = false,
}: {
  value: unknown;
  attachments?: Attachments | null;
  /** What this is ("Input", "Output"): names the raw-JSON toggle for screen readers. */
  label?: string;
  /** A run's inputs or outputs: strings then show as the user's or the assistant's message.
   * Defaults from `label`; without either, only real chat messages render as a conversation. */
  side?: Side;
  /** Data, not a conversation: a tool's or retriever's `{input: "..."}` is an argument, not what a
   * user said, so only real chat messages render as chat. */
  plain?: boolean;
}) {
  const [raw, setRaw] = useState(false);
  const chatSide = plain ? undefined : (side ?? sideOf(label));
  const missing = value === null || value === undefined;
  return (
    <div className="runio">
      <div className="runio-toolbar">
        {label && <h3 className="runio-title">{label}</h3>}
        {!missing && (
          <button
            type="button"
            className="btn btn-small btn-quiet"
            aria-pressed={raw}
            aria-label={label ? `Show ${label.toLowerCase()} as raw JSON` : "Show raw JSON"}
            onClick={() => setRaw(!raw)}
          >
            {raw ? "Rendered" : "Raw JSON"}
          </button>
        )}
      </div>
      {missing ? <p className="muted">None</p> : raw ? <JsonView value={value} openDepth={3} /> : <Rendered value={value} side={chatSide} />}
      {attachments && <AttachmentList attachments={attachments} />}
    </div>
  );
}
