// Reading LangChain prompt manifests (what `push_prompt` stores: `dumpd()` of a prompt, or of
// `prompt | model`) into something a page can render and diff. Pure functions; no React.

export type TemplateFormat = "f-string" | "mustache" | "jinja2";

/** One message of a chat prompt, in the order the prompt sends them. */
export interface PromptMessage {
  /** "system" | "human" | "ai" | "tool" | a custom role | "placeholder" */
  role: string;
  /** template: a message template; placeholder: MessagesPlaceholder; message: a fixed message. */
  kind: "template" | "placeholder" | "message";
  /** The template text (images and other parts appear as `[image: …]` lines). */
  template: string;
  format: TemplateFormat;
  variables: string[];
  /** MessagesPlaceholder only. */
  optional?: boolean;
}

export interface BoundModel {
  /** The class name, e.g. ChatOpenAI. */
  className: string;
  /** openai, anthropic, … (from the class path), or null when unknown. */
  provider: string | null;
  model: string | null;
  /** Constructor settings other than the model name and secrets. */
  params: Record<string, unknown>;
  /** `.bind(...)` arguments (stop, tools, response_format, …). */
  bound: Record<string, unknown>;
  /** Names of secrets the model reads from the environment (never their values). */
  secrets: string[];
}

export interface ParsedManifest {
  /** chat: ChatPromptTemplate (or StructuredPrompt); string: PromptTemplate; unknown: anything else. */
  kind: "chat" | "string" | "unknown";
  /** The prompt's class name (ChatPromptTemplate, StructuredPrompt, PromptTemplate, …). */
  className: string;
  messages: PromptMessage[];
  /** A PromptTemplate's text. */
  template: string | null;
  format: TemplateFormat;
  inputVariables: string[];
  optionalVariables: string[];
  partialVariables: Record<string, unknown>;
  /** A StructuredPrompt's output schema. */
  schema: unknown;
  model: BoundModel | null;
  /** Steps after the model that are neither prompt nor model (output parsers, …), by class name. */
  otherSteps: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The class path of a serialised constructor (`{"lc": 1, "type": "constructor", "id": [...]}`). */
export function classPath(node: unknown): string[] {
  if (!isObject(node) || node.type !== "constructor" || !Array.isArray(node.id)) return [];
  return node.id.filter((p): p is string => typeof p === "string");
}

function className(node: unknown): string {
  const path = classPath(node);
  return path[path.length - 1] ?? "";
}

function kwargsOf(node: unknown): Json {
  return isObject(node) && isObject(node.kwargs) ? node.kwargs : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function asFormat(value: unknown): TemplateFormat {
  return value === "mustache" || value === "jinja2" ? value : "f-string";
}

// --- template variables -------------------------------------------------------------------------

export interface Segment {
  text: string;
  /** Set when the segment is a variable reference (the text is the whole `{name}`). */
  variable?: string;
}

const MUSTACHE = /\{\{\{?\s*([#^/&]?)\s*([^{}]+?)\s*\}?\}\}/g;
const JINJA = /\{\{\s*([A-Za-z_][\w.]*)[^{}]*?\}\}/g;

/** Split a template into literal text and variable references, per its format. */
export function templateSegments(text: string, format: TemplateFormat = "f-string"): Segment[] {
  const segments: Segment[] = [];
  const push = (segment: Segment) => {
    const last = segments[segments.length - 1];
    if (!segment.variable && last && !last.variable) last.text += segment.text;
    else if (segment.text) segments.push(segment);
  };
  if (format === "f-string") {
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if ((ch === "{" || ch === "}") && text[i + 1] === ch) {
        push({ text: ch + ch }); // an escaped brace renders as itself
        i += 2;
        continue;
      }
      if (ch === "{") {
        const end = text.indexOf("}", i + 1);
        const inner = end > i ? text.slice(i + 1, end) : "";
        if (end > i && inner.trim() && !inner.includes("{")) {
          // `{name}`, `{name!r}`, `{name:>10}`, `{obj.attr}`: the variable is the leading name.
          const name = inner.trim().split(/[!:.[]/)[0];
          push({ text: text.slice(i, end + 1), variable: name });
          i = end + 1;
          continue;
        }
      }
      push({ text: ch });
      i += 1;
    }
    return segments;
  }
  const pattern = format === "mustache" ? MUSTACHE : JINJA;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    push({ text: text.slice(last, index) });
    const name = format === "mustache" ? match[2].trim().split(".")[0] : match[1].split(".")[0];
    if (format === "mustache" && match[1] === "/") push({ text: match[0] });
    else push({ text: match[0], variable: name });
    last = index + match[0].length;
  }
  push({ text: text.slice(last) });
  return segments;
}

/** The distinct variables a template references, in order of first use. */
export function templateVariables(text: string, format: TemplateFormat = "f-string"): string[] {
  const seen: string[] = [];
  for (const s of templateSegments(text, format)) if (s.variable && !seen.includes(s.variable)) seen.push(s.variable);
  return seen;
}

// --- messages ------------------------------------------------------------------------------------

const ROLE_BY_CLASS: Record<string, string> = {
  SystemMessagePromptTemplate: "system",
  HumanMessagePromptTemplate: "human",
  AIMessagePromptTemplate: "ai",
  SystemMessage: "system",
  HumanMessage: "human",
  AIMessage: "ai",
  ToolMessage: "tool",
  FunctionMessage: "function",
  ChatMessage: "chat",
};

/** Text of one prompt part: a PromptTemplate, an ImagePromptTemplate, or a content block. */
function partText(part: unknown): { text: string; format: TemplateFormat | null } {
  if (typeof part === "string") return { text: part, format: null };
  const name = className(part);
  const kwargs = kwargsOf(part);
  if (name === "PromptTemplate") {
    return { text: typeof kwargs.template === "string" ? kwargs.template : "", format: asFormat(kwargs.template_format) };
  }
  if (name === "ImagePromptTemplate") {
    const template = isObject(kwargs.template) ? kwargs.template : {};
    const url = template.url ?? template.path ?? "";
    return { text: `[image: ${typeof url === "string" ? url : JSON.stringify(url)}]`, format: asFormat(kwargs.template_format) };
  }
  if (isObject(part)) {
    if (part.type === "text" && typeof part.text === "string") return { text: part.text, format: null };
    if (part.type === "image_url") {
      const image = part.image_url;
      const url = isObject(image) ? image.url : image;
      return { text: `[image: ${String(url ?? "")}]`, format: null };
    }
  }
  return { text: JSON.stringify(part), format: null };
}

function messageFrom(node: unknown, fallbackFormat: TemplateFormat): PromptMessage | null {
  // Tuples as some clients send them: ["system", "text"].
  if (Array.isArray(node) && node.length === 2 && typeof node[0] === "string" && typeof node[1] === "string") {
    return {
      role: node[0],
      kind: "template",
      template: node[1],
      format: fallbackFormat,
      variables: templateVariables(node[1], fallbackFormat),
    };
  }
  const name = className(node);
  const kwargs = kwargsOf(node);
  if (!name) return null;
  if (name === "MessagesPlaceholder") {
    const variable = typeof kwargs.variable_name === "string" ? kwargs.variable_name : "";
    return {
      role: "placeholder",
      kind: "placeholder",
      template: `{${variable}}`,
      format: "f-string",
      variables: variable ? [variable] : [],
      optional: kwargs.optional === true,
    };
  }
  if (name.endsWith("PromptTemplate")) {
    const role =
      name === "ChatMessagePromptTemplate" && typeof kwargs.role === "string" ? kwargs.role : (ROLE_BY_CLASS[name] ?? name);
    const parts = Array.isArray(kwargs.prompt) ? kwargs.prompt : [kwargs.prompt];
    let format: TemplateFormat = fallbackFormat;
    const texts: string[] = [];
    for (const part of parts) {
      if (part === undefined || part === null) continue;
      const { text, format: partFormat } = partText(part);
      if (partFormat) format = partFormat;
      texts.push(text);
    }
    const template = texts.join("\n");
    return { role, kind: "template", template, format, variables: templateVariables(template, format) };
  }
  if (name in ROLE_BY_CLASS) {
    const role = name === "ChatMessage" && typeof kwargs.role === "string" ? kwargs.role : ROLE_BY_CLASS[name];
    const content = kwargs.content;
    const template = Array.isArray(content) ? content.map((c) => partText(c).text).join("\n") : String(content ?? "");
    return { role, kind: "message", template, format: "f-string", variables: [] };
  }
  return null;
}

// --- models --------------------------------------------------------------------------------------

const MODEL_NAME_KEYS = ["model_name", "model", "model_id", "deployment_name", "azure_deployment", "repo_id"];

function isModel(node: unknown): boolean {
  const path = classPath(node);
  if (path[path.length - 1] === "RunnableBinding") return isModel(kwargsOf(node).bound);
  return path.some((p) => p === "chat_models" || p === "llms" || p === "language_models");
}

function isSecret(value: unknown): boolean {
  return isObject(value) && value.lc === 1 && value.type === "secret";
}

function providerOf(path: string[], name: string): string | null {
  const at = path.findIndex((p) => p === "chat_models" || p === "llms");
  const after = at >= 0 ? path[at + 1] : undefined;
  if (after && after !== name) return after;
  const pkg = path[0]?.startsWith("langchain_") ? path[0].slice("langchain_".length) : null;
  if (pkg && pkg !== "core" && pkg !== "community") return pkg;
  const guess = name.replace(/^(Chat|Azure)/, "").toLowerCase();
  return guess || null;
}

/** The model a step holds (a chat model, or one wrapped in RunnableBinding by `.bind()`). */
export function parseModel(node: unknown): BoundModel | null {
  if (!isModel(node)) return null;
  let bound: Record<string, unknown> = {};
  let current = node;
  while (className(current) === "RunnableBinding") {
    const kwargs = kwargsOf(current);
    if (isObject(kwargs.kwargs)) bound = { ...kwargs.kwargs, ...bound };
    current = kwargs.bound;
  }
  const path = classPath(current);
  const name = path[path.length - 1] ?? "";
  const params: Record<string, unknown> = {};
  const secrets: string[] = [];
  let model: string | null = null;
  for (const [key, value] of Object.entries(kwargsOf(current))) {
    if (isSecret(value)) {
      secrets.push(...stringList((value as Json).id));
      continue;
    }
    if (model === null && MODEL_NAME_KEYS.includes(key) && typeof value === "string") {
      model = value;
      continue;
    }
    params[key] = value;
  }
  return { className: name, provider: providerOf(path, name), model, params, bound, secrets };
}

// --- the whole manifest ------------------------------------------------------------------------

function isPrompt(node: unknown): boolean {
  const path = classPath(node);
  return path.includes("prompts") || path[path.length - 1]?.endsWith("PromptTemplate") === true;
}

function parsePrompt(node: unknown): Omit<ParsedManifest, "model" | "otherSteps"> {
  const name = className(node);
  const kwargs = kwargsOf(node);
  const base = {
    className: name,
    messages: [] as PromptMessage[],
    template: null as string | null,
    format: asFormat(kwargs.template_format),
    inputVariables: stringList(kwargs.input_variables),
    optionalVariables: stringList(kwargs.optional_variables),
    partialVariables: isObject(kwargs.partial_variables) ? kwargs.partial_variables : {},
    schema: kwargs.schema_ ?? kwargs.schema ?? null,
  };
  if (Array.isArray(kwargs.messages)) {
    const messages = kwargs.messages
      .map((m) => messageFrom(m, base.format))
      .filter((m): m is PromptMessage => m !== null);
    const inputVariables = base.inputVariables.length
      ? base.inputVariables
      : uniq(messages.flatMap((m) => (m.kind === "placeholder" && m.optional ? [] : m.variables)));
    // dumpd() keeps the format on each message's template, not on the chat prompt.
    const format =
      typeof kwargs.template_format === "string"
        ? base.format
        : (messages.find((m) => m.kind === "template" && m.format !== "f-string")?.format ?? "f-string");
    return { ...base, kind: "chat", messages, inputVariables, format };
  }
  if (typeof kwargs.template === "string") {
    const inputVariables = base.inputVariables.length
      ? base.inputVariables
      : templateVariables(kwargs.template, base.format);
    return { ...base, kind: "string", template: kwargs.template, inputVariables };
  }
  return { ...base, kind: "unknown" };
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

/** Read a manifest as the SDK pushes it: a prompt, or a RunnableSequence `prompt | model [| parser]`. */
export function parseManifest(manifest: unknown): ParsedManifest {
  const empty: ParsedManifest = {
    kind: "unknown",
    className: className(manifest),
    messages: [],
    template: null,
    format: "f-string",
    inputVariables: [],
    optionalVariables: [],
    partialVariables: {},
    schema: null,
    model: null,
    otherSteps: [],
  };
  if (className(manifest) === "RunnableSequence") {
    const kwargs = kwargsOf(manifest);
    const steps = [kwargs.first, ...(Array.isArray(kwargs.middle) ? kwargs.middle : []), kwargs.last].filter(
      (s) => s !== undefined && s !== null,
    );
    const prompt = steps.find(isPrompt);
    const modelStep = steps.find(isModel);
    const parsed = prompt ? parsePrompt(prompt) : { ...empty, className: "RunnableSequence" };
    return {
      ...empty,
      ...parsed,
      model: modelStep ? parseModel(modelStep) : null,
      otherSteps: steps.filter((s) => s !== prompt && s !== modelStep).map(className),
    };
  }
  if (isPrompt(manifest)) return { ...empty, ...parsePrompt(manifest) };
  return empty;
}

// --- text for diffs and previews --------------------------------------------------------------

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(", ")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}: ${stableJson(value[k])}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Pretty JSON with sorted keys, so two manifests diff by content, not by key order. */
export function canonicalJson(value: unknown, indent = 0): string {
  const pad = "  ".repeat(indent);
  const inner = "  ".repeat(indent + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + canonicalJson(v, indent + 1)).join(",\n")}\n${pad}]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return "{}";
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${canonicalJson(value[k], indent + 1)}`).join(",\n")}\n${pad}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A readable text form of a manifest for line diffs: each message as `[role]` and its template,
 * then the variables and the model with its settings. Unknown manifests fall back to sorted JSON.
 */
export function manifestText(manifest: unknown): string {
  const parsed = parseManifest(manifest);
  if (parsed.kind === "unknown" && !parsed.model) return canonicalJson(manifest);
  const lines: string[] = [];
  if (parsed.kind === "chat") {
    for (const m of parsed.messages) {
      if (m.kind === "placeholder") {
        lines.push(`[placeholder${m.optional ? ", optional" : ""}] {${m.variables[0] ?? ""}}`, "");
      } else {
        lines.push(`[${m.role}]`, ...m.template.split("\n"), "");
      }
    }
  } else if (parsed.template !== null) {
    lines.push("[template]", ...parsed.template.split("\n"), "");
  }
  if (parsed.format !== "f-string") lines.push(`template format: ${parsed.format}`);
  lines.push(`input variables: ${parsed.inputVariables.join(", ") || "(none)"}`);
  const partials = Object.keys(parsed.partialVariables);
  if (partials.length) lines.push(`partial variables: ${stableJson(parsed.partialVariables)}`);
  if (parsed.schema) lines.push("", "[output schema]", ...canonicalJson(parsed.schema).split("\n"));
  if (parsed.model) {
    const m = parsed.model;
    lines.push("", `[model] ${m.className}${m.model ? ` ${m.model}` : ""}`);
    for (const key of Object.keys(m.params).sort()) lines.push(`${key}: ${stableJson(m.params[key])}`);
    for (const key of Object.keys(m.bound).sort()) lines.push(`bind ${key}: ${stableJson(m.bound[key])}`);
  }
  for (const step of parsed.otherSteps) lines.push(`[step] ${step}`);
  return lines.join("\n").replace(/\n+$/, "") + "\n";
}

// --- building a manifest ------------------------------------------------------------------------

const MESSAGE_CLASS: Record<string, string> = {
  system: "SystemMessagePromptTemplate",
  human: "HumanMessagePromptTemplate",
  ai: "AIMessagePromptTemplate",
};

export interface DraftMessage {
  role: "system" | "human" | "ai" | "placeholder";
  /** The template text; for a placeholder, the variable name. */
  text: string;
}

/** A ChatPromptTemplate manifest (f-string templates) exactly as `dumpd()` writes one. */
export function buildChatManifest(messages: DraftMessage[]): Record<string, unknown> {
  const required: string[] = [];
  const optional: string[] = [];
  const nodes = messages.map((m) => {
    if (m.role === "placeholder") {
      const name = m.text.trim().replace(/^\{|\}$/g, "");
      if (!optional.includes(name)) optional.push(name);
      return {
        lc: 1,
        type: "constructor",
        id: ["langchain", "prompts", "chat", "MessagesPlaceholder"],
        kwargs: { variable_name: name, optional: true },
      };
    }
    const variables = templateVariables(m.text);
    for (const v of variables) if (!required.includes(v)) required.push(v);
    return {
      lc: 1,
      type: "constructor",
      id: ["langchain", "prompts", "chat", MESSAGE_CLASS[m.role]],
      kwargs: {
        prompt: {
          lc: 1,
          type: "constructor",
          id: ["langchain", "prompts", "prompt", "PromptTemplate"],
          kwargs: { input_variables: variables.sort(), template: m.text, template_format: "f-string" },
          name: "PromptTemplate",
        },
      },
    };
  });
  const optionalOnly = optional.filter((v) => !required.includes(v));
  return {
    lc: 1,
    type: "constructor",
    id: ["langchain", "prompts", "chat", "ChatPromptTemplate"],
    kwargs: {
      input_variables: [...required].sort(),
      ...(optionalOnly.length
        ? { optional_variables: optionalOnly, partial_variables: Object.fromEntries(optionalOnly.map((v) => [v, []])) }
        : {}),
      messages: nodes,
    },
    name: "ChatPromptTemplate",
  };
}
