import { useState } from "react";
import { JsonView } from "../JsonView";
import { Markdown } from "./Markdown";
import type { ChatMessage, ContentPart, ToolCall } from "./normalize";
import { imagePolicy, UntrustedImage } from "./UntrustedImage";

const ROLE_LABELS: Record<string, string> = { system: "System", user: "User", assistant: "Assistant", tool: "Tool" };
const CLAMP_CHARS = 2500;

function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.charAt(0).toUpperCase() + role.slice(1);
}

/** Tool output is usually JSON text: show it as JSON when it parses to an object or a list. */
function asJson(text: string): unknown {
  const trimmed = text.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return parsed !== null && typeof parsed === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function TextPart({ text, json }: { text: string; json: boolean }) {
  const [expanded, setExpanded] = useState(false);
  const parsed = json ? asJson(text) : undefined;
  if (parsed !== undefined) return <JsonView value={parsed} />;
  const long = text.length > CLAMP_CHARS;
  return (
    <div className={long && !expanded ? "chat-text clamped" : "chat-text"}>
      <Markdown text={long && !expanded ? text.slice(0, CLAMP_CHARS) : text} />
      {long && (
        <button type="button" className="btn btn-small btn-quiet" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? "Show less" : `Show all (${text.length.toLocaleString("en-US")} characters)`}
        </button>
      )}
    </div>
  );
}

function Part({ part, json }: { part: ContentPart; json: boolean }) {
  switch (part.kind) {
    case "text":
      return <TextPart text={part.text} json={json} />;
    case "image":
      return imagePolicy(part.url).kind === "inline" ? (
        <a className="chat-image" href={part.url} target="_blank" rel="noreferrer noopener">
          <img src={part.url} alt="Image in message" loading="lazy" />
        </a>
      ) : (
        <UntrustedImage src={part.url} alt="Image in message" />
      );
    case "tool_result":
      return (
        <div className="chat-tool-result">
          <div className="chat-sub-label">
            Tool result{part.toolCallId && <span className="mono muted"> · {part.toolCallId}</span>}
          </div>
          {part.content.map((p, i) => (
            <Part key={i} part={p} json />
          ))}
        </div>
      );
    default:
      return <JsonView value={part.value} />;
  }
}

function ToolCallView({ call }: { call: ToolCall }) {
  return (
    <div className="chat-tool-call">
      <div className="chat-sub-label">
        <span className="muted">Tool call</span> <strong className="mono">{call.name}</strong>
        {call.id && <span className="mono muted"> · {call.id}</span>}
      </div>
      {call.args !== null && typeof call.args === "object" ? (
        <JsonView value={call.args} openDepth={3} />
      ) : (
        <pre>{String(call.args)}</pre>
      )}
    </div>
  );
}

export function MessageView({ message }: { message: ChatMessage }) {
  const empty = message.content.length === 0 && message.toolCalls.length === 0;
  return (
    <li className={`chat-msg role-${message.role}`}>
      <div className="chat-role">
        <span className="chat-role-name">{roleLabel(message.role)}</span>
        {message.name && <span className="mono muted">{message.name}</span>}
        {message.toolCallId && <span className="mono muted" title="Tool call id">{message.toolCallId}</span>}
      </div>
      <div className="chat-body">
        {message.content.map((part, i) => (
          <Part key={i} part={part} json={message.role === "tool"} />
        ))}
        {message.toolCalls.map((call, i) => (
          <ToolCallView key={call.id ?? i} call={call} />
        ))}
        {empty && <span className="muted">(empty)</span>}
      </div>
    </li>
  );
}

export function ConversationView({ messages }: { messages: ChatMessage[] }) {
  return (
    <ol className="chat" aria-label={`Conversation, ${messages.length} ${messages.length === 1 ? "message" : "messages"}`}>
      {messages.map((m, i) => (
        <MessageView key={i} message={m} />
      ))}
    </ol>
  );
}
