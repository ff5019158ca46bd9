// Message templates as the playground and dataset runs fill them: Python f-string style
// (`{name}` is a variable, `{{` and `}}` are literal braces), plus reading a hub prompt's
// LangChain manifest into editable messages and model settings. Pure functions, no React.

export const ROLES = ["system", "user", "assistant", "tool"] as const;
export type Role = (typeof ROLES)[number];
export type MessageKind = Role | "placeholder";

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface EditorMessage {
  id: string;
  role: MessageKind;
  /** The template; for a placeholder, the name of the variable holding a list of messages. */
  content: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
}

export interface ChatMessage {
  role: Role;
  content: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
}

let counter = 0;
export function newId(): string {
  counter += 1;
  return `m${Date.now().toString(36)}${counter}`;
}

export function message(role: MessageKind, content = "", extra: Partial<EditorMessage> = {}): EditorMessage {
  return { id: newId(), role, content, ...extra };
}

type Part = string | { name: string };

export interface ParsedTemplate {
  parts: Part[];
  error?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Split a template into literal text and `{name}` fields, as Python's string.Formatter does. */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: Part[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "{") {
      if (text[i + 1] === "{") {
        literal += "{";
        i += 2;
        continue;
      }
      const close = text.indexOf("}", i + 1);
      if (close === -1) return { parts, error: "a '{' is never closed; write {{ for a literal brace" };
      const field = text.slice(i + 1, close);
      // "{name!r}" and "{name:>10}": the name is what comes before ! or :.
      const name = field.split(/[!:]/, 1)[0].trim();
      if (!IDENTIFIER.test(name)) {
        return {
          parts,
          error: `{${truncateField(field)}} is not a variable name; write {{ and }} for literal braces`,
        };
      }
      if (literal) parts.push(literal);
      literal = "";
      parts.push({ name });
      i = close + 1;
      continue;
    }
    if (ch === "}") {
      if (text[i + 1] === "}") {
        literal += "}";
        i += 2;
        continue;
      }
      return { parts, error: "a '}' has no opening '{'; write }} for a literal brace" };
    }
    literal += ch;
    i += 1;
  }
  if (literal) parts.push(literal);
  return { parts };
}

function truncateField(field: string): string {
  return field.length > 24 ? `${field.slice(0, 24)}…` : field;
}

/** The variables a template names, in order of first appearance. */
export function templateVariables(text: string): string[] {
  const names: string[] = [];
  for (const part of parseTemplate(text).parts) {
    if (typeof part !== "string" && !names.includes(part.name)) names.push(part.name);
  }
  return names;
}

export interface VariableInfo {
  name: string;
  kind: "text" | "messages";
}

/** Every variable the messages use (placeholders hold lists of messages), first use first. */
export function messageVariables(messages: EditorMessage[]): VariableInfo[] {
  const out: VariableInfo[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.role === "placeholder") {
      const name = m.content.trim();
      if (name && !seen.has(name)) {
        seen.add(name);
        out.push({ name, kind: "messages" });
      }
      continue;
    }
    for (const name of templateVariables(m.content)) {
      if (!seen.has(name)) {
        seen.add(name);
        out.push({ name, kind: "text" });
      }
    }
  }
  return out;
}

/** Fill a template; throws when it is malformed or a variable has no value. */
export function fillTemplate(text: string, variables: Record<string, string>): string {
  const parsed = parseTemplate(text);
  if (parsed.error) throw new Error(parsed.error);
  return parsed.parts
    .map((part) => {
      if (typeof part === "string") return part;
      if (!(part.name in variables)) throw new Error(`missing variable ${part.name}`);
      return variables[part.name];
    })
    .join("");
}

/** Literal text as an f-string template (braces doubled). */
export function escapeBraces(text: string): string {
  return text.replace(/\{/g, "{{").replace(/\}/g, "}}");
}

/** A mustache template (`{{name}}`) as an f-string template. */
export function mustacheToFString(text: string): string {
  const out: string[] = [];
  const re = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(escapeBraces(text.slice(last, m.index)), `{${m[1]}}`);
    last = m.index + m[0].length;
  }
  out.push(escapeBraces(text.slice(last)));
  return out.join("");
}

/** Rename variables in a template ({question} -> {input}) and fill those with fixed values,
 * keeping everything else as written. */
export function renameVariables(
  text: string,
  mapping: Record<string, string>,
  fixed: Record<string, string> = {},
): string {
  const parsed = parseTemplate(text);
  if (parsed.error) return text;
  return parsed.parts
    .map((part) => {
      if (typeof part === "string") return escapeBraces(part);
      if (part.name in fixed) return escapeBraces(fixed[part.name]);
      return `{${mapping[part.name] || part.name}}`;
    })
    .join("");
}

const PLACEHOLDER_ROLES: Record<string, Role> = {
  human: "user",
  user: "user",
  ai: "assistant",
  assistant: "assistant",
  system: "system",
  tool: "tool",
};

/** A placeholder variable's value: a JSON list of {role, content} or [role, content]. */
export function parsePlaceholder(name: string, value: string): ChatMessage[] {
  if (!value.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`${name} must be a JSON list of messages`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${name} must be a JSON list of messages`);
  return parsed.map((item) => {
    if (Array.isArray(item) && item.length === 2) {
      return { role: PLACEHOLDER_ROLES[String(item[0])] ?? "user", content: String(item[1]) };
    }
    if (item && typeof item === "object" && "content" in item) {
      const record = item as Record<string, unknown>;
      const role = PLACEHOLDER_ROLES[String(record.role ?? record.type ?? "user")] ?? "user";
      return { role, content: typeof record.content === "string" ? record.content : JSON.stringify(record.content) };
    }
    throw new Error(`${name}: each message is {"role", "content"} or [role, content]`);
  });
}

/** The messages to send: templates filled, placeholders expanded. Throws with a readable reason. */
export function renderMessages(messages: EditorMessage[], variables: Record<string, string>): ChatMessage[] {
  const out: ChatMessage[] = [];
  messages.forEach((m, index) => {
    if (m.role === "placeholder") {
      out.push(...parsePlaceholder(m.content.trim(), variables[m.content.trim()] ?? ""));
      return;
    }
    let content: string;
    try {
      content = fillTemplate(m.content, variables);
    } catch (err) {
      throw new Error(`message ${index + 1}: ${(err as Error).message}`);
    }
    const chat: ChatMessage = { role: m.role, content };
    if (m.role === "tool" && m.tool_call_id) chat.tool_call_id = m.tool_call_id;
    if (m.role === "assistant" && m.tool_calls?.length) chat.tool_calls = m.tool_calls;
    out.push(chat);
  });
  return out;
}

/** The messages as templates (dataset runs fill them per example on the server): variables
 * renamed to input keys by `mapping`, or filled with the same value for every example by `fixed`. */
export function templateMessages(
  messages: EditorMessage[],
  mapping: Record<string, string> = {},
  fixed: Record<string, string> = {},
): ChatMessage[] {
  return messages.map((m, index) => {
    if (m.role === "placeholder") {
      throw new Error(`message ${index + 1} is a messages placeholder, which dataset runs cannot fill`);
    }
    const error = parseTemplate(m.content).error;
    if (error) throw new Error(`message ${index + 1}: ${error}`);
    const chat: ChatMessage = { role: m.role, content: renameVariables(m.content, mapping, fixed) };
    if (m.role === "tool" && m.tool_call_id) chat.tool_call_id = m.tool_call_id;
    if (m.role === "assistant" && m.tool_calls?.length) chat.tool_calls = m.tool_calls;
    return chat;
  });
}

// ---------------------------------------------------------------------------------------------
// Hub prompts: LangChain serialisations ({"lc": 1, "type": "constructor", "id": [...], "kwargs"}).

type Node = { id?: unknown; kwargs?: Record<string, unknown> } & Record<string, unknown>;

export interface PromptSettings {
  model?: string;
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string[];
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: { type: string };
}

export interface LoadedPrompt {
  messages: EditorMessage[];
  settings: PromptSettings;
}

const TEMPLATE_ROLES: Record<string, Role> = {
  SystemMessagePromptTemplate: "system",
  HumanMessagePromptTemplate: "user",
  AIMessagePromptTemplate: "assistant",
};
const LITERAL_ROLES: Record<string, Role> = {
  SystemMessage: "system",
  HumanMessage: "user",
  AIMessage: "assistant",
  ToolMessage: "tool",
};

function className(node: unknown): string {
  if (!node || typeof node !== "object") return "";
  const id = (node as Node).id;
  return Array.isArray(id) && id.length ? String(id[id.length - 1]) : "";
}

function classPath(node: unknown): string[] {
  if (!node || typeof node !== "object") return [];
  const id = (node as Node).id;
  return Array.isArray(id) ? id.map(String) : [];
}

function kwargsOf(node: unknown): Record<string, unknown> {
  if (!node || typeof node !== "object") return {};
  const kwargs = (node as Node).kwargs;
  return kwargs && typeof kwargs === "object" ? kwargs : {};
}

function templateText(kwargs: Record<string, unknown>): string {
  const template = typeof kwargs.template === "string" ? kwargs.template : "";
  const style = kwargs.template_format ?? "f-string";
  if (style === "mustache") return mustacheToFString(template);
  if (style !== "f-string") throw new Error(`${String(style)} templates are not supported by the playground`);
  return template;
}

function literalContent(content: unknown): string {
  if (typeof content === "string") return escapeBraces(content);
  if (Array.isArray(content)) {
    return escapeBraces(
      content
        .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : ""))
        .join(""),
    );
  }
  return "";
}

function promptMessage(node: unknown): EditorMessage {
  const kind = className(node);
  const kwargs = kwargsOf(node);
  if (kind === "MessagesPlaceholder") return message("placeholder", String(kwargs.variable_name ?? "history"));
  if (kind in LITERAL_ROLES) {
    const extra: Partial<EditorMessage> = {};
    if (kind === "ToolMessage" && typeof kwargs.tool_call_id === "string") extra.tool_call_id = kwargs.tool_call_id;
    return message(LITERAL_ROLES[kind], literalContent(kwargs.content), extra);
  }
  if (kind in TEMPLATE_ROLES || kind === "ChatMessagePromptTemplate") {
    const role = TEMPLATE_ROLES[kind] ?? PLACEHOLDER_ROLES[String(kwargs.role)] ?? "user";
    const prompt = kwargs.prompt;
    if (Array.isArray(prompt)) {
      // Multimodal templates: the text parts.
      const text = prompt.filter((p) => className(p) === "PromptTemplate").map((p) => templateText(kwargsOf(p)));
      return message(role, text.join(""));
    }
    return message(role, templateText(kwargsOf(prompt)));
  }
  throw new Error(`unsupported message type ${kind || "(unknown)"} in the prompt`);
}

const PARAMS: Record<string, keyof PromptSettings> = {
  model: "model",
  model_name: "model",
  temperature: "temperature",
  max_tokens: "max_tokens",
  max_tokens_to_sample: "max_tokens",
  top_p: "top_p",
  stop: "stop",
  stop_sequences: "stop",
  tools: "tools",
  tool_choice: "tool_choice",
  response_format: "response_format",
};

function collectParams(source: Record<string, unknown>, into: PromptSettings): void {
  for (const [key, target] of Object.entries(PARAMS)) {
    const value = source[key];
    if (value === undefined || value === null || into[target] !== undefined) continue;
    if (target === "stop") (into as Record<string, unknown>)[target] = typeof value === "string" ? [value] : value;
    else (into as Record<string, unknown>)[target] = value;
  }
  // OpenAI chat models keep some parameters in model_kwargs.
  const nested = source.model_kwargs;
  if (nested && typeof nested === "object") collectParams(nested as Record<string, unknown>, into);
}

function isModel(node: unknown): boolean {
  if (className(node) === "RunnableBinding") return isModel(kwargsOf(node).bound);
  return classPath(node).some((p) => p === "chat_models" || p === "llms" || p === "language_models");
}

/** Read a hub prompt's manifest (possibly `prompt | model`) into messages and model settings. */
export function manifestToPrompt(manifest: unknown): LoadedPrompt {
  let prompt: unknown = manifest;
  const settings: PromptSettings = {};
  if (className(manifest) === "RunnableSequence") {
    const kwargs = kwargsOf(manifest);
    prompt = kwargs.first;
    const steps = [kwargs.last, ...(Array.isArray(kwargs.middle) ? kwargs.middle : [])];
    for (const step of steps) {
      if (!isModel(step)) continue;
      let node = step;
      if (className(step) === "RunnableBinding") {
        const binding = kwargsOf(step);
        if (binding.kwargs && typeof binding.kwargs === "object") {
          collectParams(binding.kwargs as Record<string, unknown>, settings);
        }
        node = binding.bound;
      }
      collectParams(kwargsOf(node), settings);
    }
  }
  const kind = className(prompt);
  const kwargs = kwargsOf(prompt);
  if (kind === "ChatPromptTemplate" || kind === "StructuredPrompt") {
    const list = Array.isArray(kwargs.messages) ? kwargs.messages : [];
    return { messages: list.map(promptMessage), settings };
  }
  if (kind === "PromptTemplate") return { messages: [message("user", templateText(kwargs))], settings };
  throw new Error(`the playground opens chat prompts and prompt templates, not ${kind || "this manifest"}`);
}

export interface PromptRef {
  owner: string;
  repo: string;
  commit: string; // "latest" when not given
}

/** `owner/repo:commit`, `repo:commit` or `repo` (owner "-" is this workspace). */
export function parsePromptRef(text: string): PromptRef | null {
  let rest = text.trim();
  if (!rest) return null;
  let owner = "-";
  const slash = rest.indexOf("/");
  if (slash !== -1) {
    owner = rest.slice(0, slash) || "-";
    rest = rest.slice(slash + 1);
  }
  const colon = rest.indexOf(":");
  const repo = colon === -1 ? rest : rest.slice(0, colon);
  const commit = colon === -1 ? "" : rest.slice(colon + 1);
  if (!repo) return null;
  return { owner, repo, commit: commit || "latest" };
}
