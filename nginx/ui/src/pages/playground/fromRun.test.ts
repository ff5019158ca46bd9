import { describe, expect, it } from "vitest";
import { modelOf, paramsOf, playgroundFromRun } from "./fromRun";

const strip = (messages: { role: string; content: string; tool_call_id?: string; tool_calls?: unknown[] }[]) =>
  messages.map(({ role, content, tool_call_id, tool_calls }) => ({ role, content, ...(tool_call_id ? { tool_call_id } : {}), ...(tool_calls ? { tool_calls } : {}) }));

describe("modelOf", () => {
  it("prefers the ls_ metadata and names the provider", () => {
    expect(modelOf({ extra: { metadata: { ls_model_name: "gpt-4o-mini", ls_provider: "openai" }, invocation_params: { model: "other" } } })).toEqual({
      model: "gpt-4o-mini",
      provider: "openai",
    });
  });
  it("falls back to the invocation params and their _type", () => {
    expect(modelOf({ extra: { invocation_params: { model_name: "claude-3-5-haiku", _type: "anthropic-chat" } } })).toEqual({
      model: "claude-3-5-haiku",
      provider: "anthropic",
    });
  });
  it("knows nothing of a run without them", () => {
    expect(modelOf({ extra: null })).toEqual({ model: undefined, provider: undefined });
  });
});

describe("paramsOf", () => {
  it("reads temperature, max tokens, top_p, stop, tools and the response format", () => {
    const tools = [{ type: "function", function: { name: "lookup" } }];
    expect(
      paramsOf({
        extra: {
          invocation_params: { temperature: 0.3, max_completion_tokens: 256, top_p: 0.9, stop: ["\n\n"], tools, tool_choice: "auto", response_format: { type: "json_object" } },
        },
      }),
    ).toEqual({ temperature: 0.3, max_tokens: 256, top_p: 0.9, stop: ["\n\n"], tools, tool_choice: "auto", response_format: { type: "json_object" } });
  });
  it("falls back to the ls_ metadata", () => {
    expect(paramsOf({ extra: { metadata: { ls_temperature: 0, ls_max_tokens: "64", ls_stop: "END" } } })).toEqual({
      temperature: 0,
      max_tokens: 64,
      stop: ["END"],
    });
  });
});

describe("playgroundFromRun", () => {
  it("opens OpenAI messages with the model and parameters, braces escaped", () => {
    const opened = playgroundFromRun({
      inputs: { messages: [{ role: "system", content: "Answer in {lang}." }, { role: "user", content: "Hi" }] },
      extra: { metadata: { ls_model_name: "gpt-4o-mini" }, invocation_params: { temperature: 0.2, max_tokens: 100 } },
    });
    expect(strip(opened.messages)).toEqual([
      { role: "system", content: "Answer in {{lang}}." },
      { role: "user", content: "Hi" },
    ]);
    expect(opened.settings).toEqual({ model: "gpt-4o-mini", temperature: "0.2", maxTokens: "100" });
  });

  it("opens LangChain serialised messages with tool calls", () => {
    const opened = playgroundFromRun({
      inputs: {
        messages: [
          [
            { lc: 1, type: "constructor", id: ["langchain", "schema", "messages", "HumanMessage"], kwargs: { content: "weather?" } },
            {
              lc: 1,
              type: "constructor",
              id: ["langchain", "schema", "messages", "AIMessage"],
              kwargs: { content: "", tool_calls: [{ id: "c1", name: "weather", args: { city: "Oslo" } }] },
            },
            { lc: 1, type: "constructor", id: ["langchain", "schema", "messages", "ToolMessage"], kwargs: { content: "rain", tool_call_id: "c1" } },
          ],
        ],
      },
      extra: {},
    });
    expect(strip(opened.messages)).toEqual([
      { role: "user", content: "weather?" },
      { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }] },
      { role: "tool", content: "rain", tool_call_id: "c1" },
    ]);
  });

  it("opens a completion prompt and a single string input as a user message", () => {
    expect(strip(playgroundFromRun({ inputs: { prompts: ["Say hi"] }, extra: {} }).messages)).toEqual([{ role: "user", content: "Say hi" }]);
    expect(strip(playgroundFromRun({ inputs: { question: "Why?" }, extra: {} }).messages)).toEqual([{ role: "user", content: "Why?" }]);
  });

  it("counts content the editor cannot hold", () => {
    const opened = playgroundFromRun({
      inputs: { messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "data:image/png;base64,AA" } }] }] },
      extra: {},
    });
    expect(strip(opened.messages)).toEqual([{ role: "user", content: "what is this" }]);
    expect(opened.dropped).toBe(1);
  });

  it("refuses inputs without messages", () => {
    expect(() => playgroundFromRun({ inputs: { a: 1, b: 2 }, extra: {} })).toThrow(/no chat messages/);
  });
});
