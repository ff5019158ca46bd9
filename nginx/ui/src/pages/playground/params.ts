// Model settings as the form holds them (strings) and as the API takes them, with validation.

import type { PromptSettings } from "./template";

export interface ModelSettings {
  providerId: string;
  model: string;
  temperature: string;
  maxTokens: string;
  topP: string;
  stop: string; // one sequence per line; \n and \t are written as escapes
  responseFormat: "text" | "json_object";
  tools: string; // JSON array of OpenAI tool definitions
  toolChoice: string; // "" (provider default), auto, none, required, or fn:<name>
}

export const DEFAULT_SETTINGS: ModelSettings = {
  providerId: "",
  model: "",
  temperature: "",
  maxTokens: "",
  topP: "",
  stop: "",
  responseFormat: "text",
  tools: "",
  toolChoice: "",
};

export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export interface ToolsCheck {
  tools: ToolDefinition[];
  error?: string;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Parse and check the tools editor: a JSON array of {"type": "function", "function": {...}}. */
export function parseTools(text: string): ToolsCheck {
  if (!text.trim()) return { tools: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { tools: [], error: `not valid JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(value)) return { tools: [], error: "tools must be a JSON array of tool definitions" };
  const names = new Set<string>();
  for (const [index, tool] of value.entries()) {
    const where = `tool ${index + 1}`;
    if (!tool || typeof tool !== "object" || Array.isArray(tool)) return { tools: [], error: `${where} is not an object` };
    const record = tool as Record<string, unknown>;
    if (record.type !== "function") return { tools: [], error: `${where}: "type" must be "function"` };
    const fn = record.function;
    if (!fn || typeof fn !== "object" || Array.isArray(fn)) {
      return { tools: [], error: `${where}: "function" must be an object with a name` };
    }
    const f = fn as Record<string, unknown>;
    if (typeof f.name !== "string" || !TOOL_NAME.test(f.name)) {
      return { tools: [], error: `${where}: function.name must be 1-64 letters, digits, _ or -` };
    }
    if (names.has(f.name)) return { tools: [], error: `${where}: the name ${f.name} is used twice` };
    names.add(f.name);
    if (f.description !== undefined && typeof f.description !== "string") {
      return { tools: [], error: `${where}: function.description must be a string` };
    }
    if (f.parameters !== undefined) {
      const p = f.parameters;
      if (!p || typeof p !== "object" || Array.isArray(p)) {
        return { tools: [], error: `${where}: function.parameters must be a JSON Schema object` };
      }
      const type = (p as Record<string, unknown>).type;
      if (type !== undefined && type !== "object") {
        return { tools: [], error: `${where}: function.parameters.type must be "object"` };
      }
    }
  }
  return { tools: value as ToolDefinition[] };
}

export const EXAMPLE_TOOLS = JSON.stringify(
  [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Current weather for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string", description: "City name" } },
          required: ["city"],
        },
      },
    },
  ],
  null,
  2,
);

function unescape(line: string): string {
  return line.replace(/\\(n|t|\\)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
}

export function escapeStop(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

export interface CallParams {
  model?: string;
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string[];
  response_format?: { type: string };
  tools?: ToolDefinition[];
  tool_choice?: unknown;
}

export interface ParamsCheck {
  params: CallParams;
  errors: Partial<Record<keyof ModelSettings, string>>;
}

/** The API parameters of the form, or per-field errors. Empty fields are left to the provider. */
export function buildParams(s: ModelSettings): ParamsCheck {
  const params: CallParams = {};
  const errors: ParamsCheck["errors"] = {};
  if (s.model.trim()) params.model = s.model.trim();
  if (s.temperature.trim()) {
    const t = Number(s.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) errors.temperature = "between 0 and 2";
    else params.temperature = t;
  }
  if (s.maxTokens.trim()) {
    const n = Number(s.maxTokens);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) errors.maxTokens = "a whole number from 1";
    else params.max_tokens = n;
  }
  if (s.topP.trim()) {
    const p = Number(s.topP);
    if (!Number.isFinite(p) || p < 0 || p > 1) errors.topP = "between 0 and 1";
    else params.top_p = p;
  }
  const stop = s.stop
    .split("\n")
    .filter((line) => line !== "")
    .map(unescape);
  if (stop.length > 4) errors.stop = "at most 4 stop sequences";
  else if (stop.length) params.stop = stop;
  if (s.responseFormat === "json_object") params.response_format = { type: "json_object" };
  const tools = parseTools(s.tools);
  if (tools.error) errors.tools = tools.error;
  else if (tools.tools.length) {
    params.tools = tools.tools;
    if (s.toolChoice.startsWith("fn:")) {
      const name = s.toolChoice.slice(3);
      if (!tools.tools.some((t) => t.function.name === name)) errors.toolChoice = `no tool named ${name}`;
      else params.tool_choice = { type: "function", function: { name } };
    } else if (s.toolChoice) params.tool_choice = s.toolChoice;
  }
  return { params, errors };
}

/** Form values from a hub prompt's model settings (only those it sets). */
export function settingsFromPrompt(p: PromptSettings): Partial<ModelSettings> {
  const out: Partial<ModelSettings> = {};
  if (typeof p.model === "string") out.model = p.model;
  if (typeof p.temperature === "number") out.temperature = String(p.temperature);
  if (typeof p.max_tokens === "number") out.maxTokens = String(p.max_tokens);
  if (typeof p.top_p === "number") out.topP = String(p.top_p);
  if (Array.isArray(p.stop)) out.stop = p.stop.map((x) => escapeStop(String(x))).join("\n");
  if (Array.isArray(p.tools) && p.tools.length) out.tools = JSON.stringify(p.tools, null, 2);
  if (typeof p.tool_choice === "string") out.toolChoice = p.tool_choice;
  else if (p.tool_choice && typeof p.tool_choice === "object") {
    const name = (p.tool_choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === "string") out.toolChoice = `fn:${name}`;
  }
  if (p.response_format?.type === "json_object") out.responseFormat = "json_object";
  return out;
}
