// An LLM run as playground state: its messages, model and parameters. Pure, unit-tested in
// fromRun.test.ts. The trace view links to /playground?run=<id>; the playground loads the run
// by id so the link survives a reload and can be shared.

import type { Run } from "../../api/types";
import { toConversation, type ContentPart } from "../../components/messages/normalize";
import { settingsFromPrompt, type ModelSettings } from "./params";
import { escapeBraces, message, type EditorMessage, type PromptSettings, type ToolCall } from "./template";

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function sections(run: Pick<Run, "extra">): { metadata: Obj; invocation: Obj } {
  const extra = isObj(run.extra) ? run.extra : {};
  return {
    metadata: isObj(extra.metadata) ? extra.metadata : {},
    invocation: isObj(extra.invocation_params) ? extra.invocation_params : {},
  };
}

/**
 * The model an LLM run called and, if known, its provider. LangChain and the SDK's wrappers record
 * `ls_model_name`/`ls_provider` in the metadata; older callers only the invocation params
 * (`model`, `model_name`, and `_type` such as "openai-chat").
 */
export function modelOf(run: Pick<Run, "extra">): { model?: string; provider?: string } {
  const { metadata, invocation } = sections(run);
  const model =
    str(metadata.ls_model_name) ?? str(invocation.model) ?? str(invocation.model_name) ?? str(invocation.model_id) ?? str(invocation.deployment_name);
  const type = str(invocation._type);
  const provider = str(metadata.ls_provider) ?? (type ? type.replace(/-chat$/, "") : undefined);
  return { model, provider };
}

/** The parameters the run was called with, in the hub prompt's terms (so settingsFromPrompt applies). */
export function paramsOf(run: Pick<Run, "extra">): PromptSettings {
  const { metadata, invocation } = sections(run);
  const out: PromptSettings = {};
  const temperature = num(invocation.temperature) ?? num(metadata.ls_temperature);
  if (temperature !== undefined) out.temperature = temperature;
  const maxTokens = num(invocation.max_tokens) ?? num(invocation.max_completion_tokens) ?? num(metadata.ls_max_tokens);
  if (maxTokens !== undefined) out.max_tokens = maxTokens;
  const topP = num(invocation.top_p);
  if (topP !== undefined) out.top_p = topP;
  const stop = invocation.stop ?? metadata.ls_stop;
  if (Array.isArray(stop)) out.stop = stop.map(String);
  else if (typeof stop === "string" && stop) out.stop = [stop];
  if (Array.isArray(invocation.tools) && invocation.tools.length) out.tools = invocation.tools;
  if (invocation.tool_choice !== undefined && invocation.tool_choice !== null) out.tool_choice = invocation.tool_choice;
  const format = invocation.response_format;
  if (isObj(format) && typeof format.type === "string") out.response_format = { type: format.type };
  return out;
}

function textOf(parts: ContentPart[]): { text: string; dropped: number } {
  let dropped = 0;
  const texts: string[] = [];
  for (const part of parts) {
    if (part.kind === "text") texts.push(part.text);
    else if (part.kind === "tool_result") texts.push(textOf(part.content).text);
    else dropped += 1; // images and other parts: the editor holds text only
  }
  return { text: texts.join("\n"), dropped };
}

const EDITOR_ROLES = new Set(["system", "user", "assistant", "tool"]);

export interface RunPlayground {
  messages: EditorMessage[];
  settings: Partial<ModelSettings>;
  model?: string;
  provider?: string;
  /** Content the editor cannot hold (images…), counted so the page can say it was left out. */
  dropped: number;
}

/**
 * The run's input messages as editor messages (literal text: braces escaped so nothing reads as a
 * template variable), its model and parameters. Recognises chat messages in every shape the
 * trace view renders (OpenAI, LangChain serialised or dict, {messages}, {prompts}) and a single
 * string input as one user message. Throws when the inputs hold no messages.
 */
export function playgroundFromRun(run: Pick<Run, "inputs" | "extra">): RunPlayground {
  const inputs = run.inputs ?? {};
  const conversation = toConversation(inputs);
  let dropped = 0;
  const messages: EditorMessage[] = [];
  if (conversation) {
    for (const m of conversation.messages) {
      const { text, dropped: lost } = textOf(m.content);
      dropped += lost;
      const role = EDITOR_ROLES.has(m.role) ? (m.role as EditorMessage["role"]) : "user";
      const extra: Partial<EditorMessage> = {};
      if (m.toolCallId) extra.tool_call_id = m.toolCallId;
      if (m.toolCalls.length) {
        extra.tool_calls = m.toolCalls.map(
          (c, i): ToolCall => ({
            id: c.id ?? `call_${i}`,
            type: "function",
            function: { name: c.name, arguments: typeof c.args === "string" ? c.args : JSON.stringify(c.args ?? {}) },
          }),
        );
      }
      messages.push(message(role, escapeBraces(text), extra));
    }
  } else {
    const values = Object.values(inputs);
    const single = values.length === 1 && typeof values[0] === "string" ? values[0] : typeof inputs.prompt === "string" ? inputs.prompt : null;
    if (single === null) throw new Error("the run's inputs hold no chat messages or prompt");
    messages.push(message("user", escapeBraces(single)));
  }
  const { model, provider } = modelOf(run);
  const settings = settingsFromPrompt({ ...paramsOf(run), model });
  return { messages, settings, model, provider, dropped };
}
