// Turn the many shapes LLM frameworks log chat messages in into one shape the UI renders.
// Pure (no React): everything here is unit-tested in normalize.test.ts.
//
// Recognised:
//   OpenAI             {role, content, tool_calls?, tool_call_id?, name?}; {choices:[{message}]}
//   LangChain (lc)     {lc:1, type:"constructor", id:[..., "HumanMessage"], kwargs:{content, tool_calls?, ...}}
//   LangChain (dict)   {type:"human"|"ai"|..., data:{content, ...}} and {type:"ai", content, ...}
//   Containers         {messages:[...]}, [msg, ...], [[msg, ...]], {generations:[[{message|text}]]},
//                      {output: msg} / any single key holding messages
//   Content parts      strings, {type:"text"}, {type:"image_url"}, Anthropic {type:"image"|"tool_use"|"tool_result"}

export type Role = "system" | "user" | "assistant" | "tool" | string;

export type ContentPart =
  | { kind: "text"; text: string }
  | { kind: "image"; url: string; detail?: string }
  | { kind: "tool_result"; toolCallId?: string; content: ContentPart[] }
  | { kind: "json"; value: unknown };

export interface ToolCall {
  id?: string;
  name: string;
  args: unknown;
}

export interface ChatMessage {
  role: Role;
  name?: string;
  content: ContentPart[];
  toolCalls: ToolCall[];
  toolCallId?: string;
}

export interface Conversation {
  messages: ChatMessage[];
  /** Keys of the container that are not the messages (model, temperature, llm_output...). */
  rest?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const ROLE_ALIASES: Record<string, Role> = {
  human: "user",
  user: "user",
  humanmessage: "user",
  humanmessagechunk: "user",
  ai: "assistant",
  assistant: "assistant",
  aimessage: "assistant",
  aimessagechunk: "assistant",
  model: "assistant",
  system: "system",
  developer: "system",
  systemmessage: "system",
  systemmessagechunk: "system",
  tool: "tool",
  toolmessage: "tool",
  toolmessagechunk: "tool",
  function: "tool",
  functionmessage: "tool",
  functionmessagechunk: "tool",
};

const LC_TYPES = new Set(["human", "ai", "system", "tool", "function", "chat", "developer", "AIMessageChunk"]);

function roleOf(raw: unknown): Role {
  const key = String(raw ?? "").toLowerCase();
  return ROLE_ALIASES[key] ?? (key || "unknown");
}

/** The fields of a message, whatever envelope it came in; null if it is not a message. */
function unpack(value: unknown): { role: Role; fields: Obj } | null {
  if (!isObj(value)) return null;
  // LangChain serialized: {lc:1, type:"constructor", id:[..., "AIMessage"], kwargs:{...}}
  if (value.lc === 1 && value.type === "constructor" && Array.isArray(value.id) && isObj(value.kwargs)) {
    const cls = String(value.id[value.id.length - 1] ?? "");
    if (!/Message(Chunk)?$/.test(cls)) return null;
    const fields = value.kwargs;
    const role = cls === "ChatMessage" || cls === "ChatMessageChunk" ? roleOf(fields.role) : roleOf(cls);
    return { role, fields };
  }
  // LangChain message_to_dict: {type:"human", data:{content, ...}}
  if (typeof value.type === "string" && LC_TYPES.has(value.type) && isObj(value.data) && "content" in value.data) {
    const fields = value.data;
    return { role: value.type === "chat" ? roleOf(fields.role) : roleOf(value.type), fields };
  }
  // OpenAI / generic: {role, content}
  if (typeof value.role === "string" && ("content" in value || "tool_calls" in value || "function_call" in value)) {
    return { role: roleOf(value.role), fields: value };
  }
  // LangChain model_dump: {type:"ai", content, ...}
  if (typeof value.type === "string" && LC_TYPES.has(value.type) && "content" in value) {
    return { role: value.type === "chat" ? roleOf(value.role) : roleOf(value.type), fields: value };
  }
  return null;
}

export function isMessage(value: unknown): boolean {
  return unpack(value) !== null;
}

function parseArgs(args: unknown): unknown {
  if (typeof args !== "string") return args ?? {};
  try {
    return JSON.parse(args);
  } catch {
    return args; // partial or invalid JSON (streamed): show it as written
  }
}

function toolCallsOf(fields: Obj): ToolCall[] {
  const calls: ToolCall[] = [];
  const additional = isObj(fields.additional_kwargs) ? fields.additional_kwargs : {};
  const lists = [fields.tool_calls, additional.tool_calls].filter(Array.isArray) as unknown[][];
  // LangChain puts the parsed calls in tool_calls and OpenAI's raw ones in additional_kwargs: use the first non-empty.
  const list = lists.find((l) => l.length > 0) ?? [];
  for (const call of list) {
    if (!isObj(call)) continue;
    if (isObj(call.function)) {
      calls.push({ id: strOrUndef(call.id), name: String(call.function.name ?? "?"), args: parseArgs(call.function.arguments) });
    } else {
      calls.push({ id: strOrUndef(call.id), name: String(call.name ?? "?"), args: parseArgs(call.args ?? call.arguments) });
    }
  }
  const fn = isObj(fields.function_call) ? fields.function_call : isObj(additional.function_call) ? additional.function_call : null;
  if (fn && calls.length === 0) calls.push({ name: String(fn.name ?? "?"), args: parseArgs(fn.arguments) });
  return calls;
}

function strOrUndef(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

/** Content (a string or a list of parts) → parts; Anthropic tool_use blocks go to `calls`. */
export function contentParts(content: unknown, calls: ToolCall[] = []): ContentPart[] {
  if (content === null || content === undefined || content === "") return [];
  if (typeof content === "string") return [{ kind: "text", text: content }];
  if (!Array.isArray(content)) return isObj(content) ? partsOfOne(content, calls) : [{ kind: "text", text: String(content) }];
  return content.flatMap((part) => (typeof part === "string" ? [{ kind: "text" as const, text: part }] : partsOfOne(part, calls)));
}

function partsOfOne(part: unknown, calls: ToolCall[]): ContentPart[] {
  if (!isObj(part)) return [{ kind: "json", value: part }];
  const type = part.type;
  if ((type === "text" || type === "input_text" || type === "output_text") && typeof part.text === "string") {
    return [{ kind: "text", text: part.text }];
  }
  if (type === "image_url" || type === "input_image") {
    const image = part.image_url;
    if (typeof image === "string") return [{ kind: "image", url: image }];
    if (isObj(image) && typeof image.url === "string") return [{ kind: "image", url: image.url, detail: strOrUndef(image.detail) }];
  }
  if (type === "image") {
    if (typeof part.url === "string") return [{ kind: "image", url: part.url }];
    const source = isObj(part.source) ? part.source : null;
    if (source?.type === "base64" && typeof source.data === "string") {
      return [{ kind: "image", url: `data:${String(source.media_type ?? "image/png")};base64,${source.data}` }];
    }
    if (source?.type === "url" && typeof source.url === "string") return [{ kind: "image", url: source.url }];
    if (typeof part.data === "string" && typeof part.mime_type === "string") {
      return [{ kind: "image", url: `data:${part.mime_type};base64,${part.data}` }];
    }
  }
  if (type === "tool_use" && typeof part.name === "string") {
    calls.push({ id: strOrUndef(part.id), name: part.name, args: part.input ?? {} });
    return [];
  }
  if (type === "tool_result") {
    return [{ kind: "tool_result", toolCallId: strOrUndef(part.tool_use_id), content: contentParts(part.content) }];
  }
  return [{ kind: "json", value: part }];
}

/** One message in the common shape, or null if `value` is not a message. */
export function toMessage(value: unknown): ChatMessage | null {
  const unpacked = unpack(value);
  if (!unpacked) return null;
  const { role, fields } = unpacked;
  const calls: ToolCall[] = [];
  const content = contentParts(fields.content, calls);
  const toolCalls = [...calls, ...toolCallsOf(fields)];
  return {
    role,
    name: strOrUndef(fields.name),
    content,
    toolCalls,
    toolCallId: strOrUndef(fields.tool_call_id),
  };
}

/** A list of messages (flattening LangChain's [[...]] batches), or null if any item is not one. */
function messageList(value: unknown): ChatMessage[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const flat = value.every(Array.isArray) ? (value as unknown[][]).flat() : value;
  if (flat.length === 0) return null;
  const out: ChatMessage[] = [];
  for (const item of flat) {
    const message = toMessage(item);
    if (!message) return null;
    out.push(message);
  }
  return out;
}

/** A generation ({message} or {text}) as an assistant message. */
function generationMessage(value: unknown): ChatMessage | null {
  if (!isObj(value)) return null;
  if (value.message !== undefined) {
    const message = toMessage(value.message);
    if (message) return message;
  }
  if (typeof value.text === "string") return { role: "assistant", content: contentParts(value.text), toolCalls: [] };
  return null;
}

function without(obj: Obj, key: string): Record<string, unknown> | undefined {
  const rest = Object.fromEntries(Object.entries(obj).filter(([k, v]) => k !== key && v !== null && v !== undefined));
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * `value` as a conversation if it holds chat messages, else null. Container keys other than the
 * messages (e.g. the model's invocation params, llm_output) come back in `rest`.
 */
export function toConversation(value: unknown): Conversation | null {
  const single = toMessage(value);
  if (single) return { messages: [single] };
  const list = messageList(value);
  if (list) return { messages: list };
  if (!isObj(value)) return null;

  for (const key of ["messages", "input", "inputs", "output", "outputs", "message", "prompt", "chat_history"]) {
    if (!(key in value)) continue;
    const inner = value[key];
    const msg = toMessage(inner) ?? null;
    const messages = msg ? [msg] : messageList(inner);
    if (messages) return { messages, rest: without(value, key) };
  }
  // {generations: [[{text, message}]]} (LangChain LLMResult) or [{...}]
  if (Array.isArray(value.generations) && value.generations.length > 0) {
    const flat = (value.generations as unknown[]).flatMap((g) => (Array.isArray(g) ? g : [g]));
    const messages = flat.map(generationMessage);
    if (flat.length > 0 && messages.every((m): m is ChatMessage => m !== null)) {
      return { messages, rest: without(value, "generations") };
    }
  }
  // Completion LLMs: {prompts: ["..."]}
  if (Array.isArray(value.prompts) && value.prompts.length > 0 && value.prompts.every((p) => typeof p === "string")) {
    const messages = (value.prompts as string[]).map((p) => ({ role: "user", content: contentParts(p), toolCalls: [] }));
    return { messages, rest: without(value, "prompts") };
  }
  // OpenAI chat completion: {choices: [{message}]}
  if (Array.isArray(value.choices) && value.choices.length > 0) {
    const messages = (value.choices as unknown[]).map((c) => (isObj(c) ? toMessage(c.message ?? c.delta) : null));
    if (messages.every((m): m is ChatMessage => m !== null)) return { messages, rest: without(value, "choices") };
  }
  return null;
}

/** {input: "..."} → "..." (one level): single-key objects show their only value. */
export function unwrapSingle(value: unknown): { key?: string; value: unknown } {
  if (isObj(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) return { key: keys[0], value: value[keys[0]] };
  }
  return { value };
}

// ---------------------------------------------------------------------------------------------
// Chat views of run inputs and outputs that are not (only) messages. A chain run of a chat app
// typically takes {question, history} and returns {answer}; showing those as JSON hides the
// conversation. `toChat` reads them as messages (the string as the user's or the assistant's).

/** Which side of a run a value is: its inputs speak as the user, its outputs as the assistant. */
export type Side = "input" | "output";

/** Keys that name the user's message in an input, and the reply in an output, most telling first. */
const QUESTION_KEYS = ["question", "input", "query", "prompt", "message", "user_input", "text", "content"];
const ANSWER_KEYS = ["answer", "output", "response", "result", "completion", "text", "content", "generation"];
/** Keys under which chat apps pass the earlier turns alongside the new question. */
const HISTORY_KEYS = ["history", "chat_history", "messages", "conversation", "memory", "past_messages"];

/** The one string an object is about: a telling key's string (`telling`), else its only string field. */
export function mainString(value: unknown, side: Side): { key?: string; text: string; telling: boolean } | null {
  if (typeof value === "string") return { text: value, telling: true };
  if (!isObj(value)) return null;
  for (const key of side === "input" ? QUESTION_KEYS : ANSWER_KEYS) {
    const inner = value[key];
    if (typeof inner === "string" && inner.trim() !== "") return { key, text: inner, telling: true };
  }
  const strings = Object.entries(value).filter(([, v]) => typeof v === "string");
  if (strings.length === 1) return { key: strings[0][0], text: strings[0][1] as string, telling: false };
  return null;
}

/**
 * `value` (a run's inputs or outputs) as a conversation, or null when it is neither messages nor
 * a question- or answer-like string. Recognised beyond `toConversation`: {question, history:[msgs]}
 * (the history, then the question as the user's message), {question: "..."}, {input: ...},
 * {query: ...}, any object with exactly one string field, a bare string, Anthropic's top-level
 * `system` prompt beside its messages, and outputs' {answer}, {output} strings (as the assistant's
 * message). Other keys come back in `rest`.
 */
export function toChat(value: unknown, side: Side): Conversation | null {
  const conversation = toConversation(value);
  if (conversation) return side === "input" ? withInputExtras(conversation) : conversation;
  const found = mainString(value, side);
  if (!found) return null;
  const role = side === "input" ? "user" : "assistant";
  if (!isObj(value)) return { messages: [textMessage(role, found.text)] };
  let rest: Record<string, unknown> | undefined = found.key ? without(value, found.key) : undefined;
  const history: ChatMessage[] = [];
  if (side === "input" && rest) {
    for (const key of HISTORY_KEYS) {
      const list = key in rest ? messageList(rest[key]) : null;
      if (list) {
        history.push(...list);
        rest = without(rest, key);
        break;
      }
    }
  }
  return { messages: [...history, textMessage(role, found.text, found.key)], rest };
}

/** Strings beside an input's messages that are messages too: Anthropic's `system` prompt (first)
 * and a question-like key (the newest user message, after the list). */
function withInputExtras({ messages, rest }: Conversation): Conversation {
  if (!rest) return { messages, rest };
  let out = messages;
  if (typeof rest.system === "string" && rest.system !== "" && !messages.some((m) => m.role === "system")) {
    out = [textMessage("system", rest.system), ...out];
    rest = without(rest, "system");
  }
  const found = rest ? mainString(rest, "input") : null;
  if (rest && found?.telling && found.key) {
    out = [...out, textMessage("user", found.text, found.key)];
    rest = without(rest, found.key);
  }
  return { messages: out, rest };
}

function textMessage(role: Role, text: string, key?: string): ChatMessage {
  return { role, name: key, content: contentParts(text), toolCalls: [] };
}

/** What a thread's turn shows: the newest user message(s) of its input, and how many were left out. */
export interface LatestTurn {
  messages: ChatMessage[];
  hidden: number;
}

/**
 * The new part of a chat turn's input: the trailing user messages (a turn re-sends the whole
 * history, of which only the end is new), or the last message when it is not the user's. Null
 * when the input is not a conversation.
 */
export function latestUserMessages(inputs: unknown): LatestTurn | null {
  const conversation = toChat(inputs, "input");
  if (!conversation) return null;
  const { messages } = conversation;
  let start = messages.length;
  while (start > 0 && messages[start - 1].role === "user") start -= 1;
  if (start === messages.length) start = messages.length - 1; // no trailing user message: the last one
  return { messages: messages.slice(start), hidden: start };
}

/** The reply of a chat turn's output: its last message (an output may carry the whole history). */
export function replyMessage(outputs: unknown): ChatMessage | null {
  const conversation = toChat(outputs, "output");
  if (!conversation || conversation.messages.length === 0) return null;
  return conversation.messages[conversation.messages.length - 1];
}
