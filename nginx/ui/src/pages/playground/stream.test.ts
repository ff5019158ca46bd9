import { describe, expect, it } from "vitest";
import { buildParams, DEFAULT_SETTINGS, parseTools, settingsFromPrompt } from "./params";
import { applyEvent, startState } from "./stream";

const ev = (event: string, data: unknown) => ({ event, data: JSON.stringify(data) });

describe("applyEvent", () => {
  it("builds text, tool calls and the end of an answer", () => {
    let s = startState("echo-small", 0);
    s = applyEvent(s, ev("run", { run_id: "r1" }), 1);
    s = applyEvent(s, ev("delta", { text: "echo: " }), 2);
    s = applyEvent(s, ev("delta", { text: "hi" }), 3);
    s = applyEvent(s, ev("tool_call", { index: 0, id: "c1", name: "get_weather", arguments: '{"city' }), 4);
    s = applyEvent(s, ev("tool_call", { index: 0, id: null, name: null, arguments: '": "Paris"}' }), 5);
    expect(s.status).toBe("running");
    expect(s.text).toBe("echo: hi");
    expect(s.toolCalls).toEqual([{ index: 0, id: "c1", name: "get_weather", arguments: '{"city": "Paris"}' }]);
    s = applyEvent(s, ev("end", { run_id: "r1", finish_reason: "stop", latency: 0.5, usage: { total_tokens: 3 } }), 9);
    expect(s).toMatchObject({ status: "done", runId: "r1", endedAt: 9, end: { latency: 0.5 } });
  });

  it("records a mid-stream error", () => {
    const s = applyEvent(startState("m", 0), ev("error", { error: "provider_error", detail: "boom" }), 1);
    expect(s).toMatchObject({ status: "error", error: { code: "provider_error", detail: "boom" } });
  });
});

describe("params", () => {
  it("validates tools", () => {
    expect(parseTools("").tools).toEqual([]);
    expect(parseTools("{").error).toMatch(/not valid JSON/);
    expect(parseTools("{}").error).toMatch(/array/);
    expect(parseTools('[{"type": "function", "function": {}}]').error).toMatch(/name/);
    expect(parseTools('[{"type": "function", "function": {"name": "f", "parameters": []}}]').error).toMatch(/JSON Schema/);
    expect(parseTools('[{"type": "function", "function": {"name": "f"}}]').tools).toHaveLength(1);
  });

  it("builds API parameters and reports bad fields", () => {
    const ok = buildParams({
      ...DEFAULT_SETTINGS,
      model: " echo-small ",
      temperature: "0.5",
      maxTokens: "10",
      stop: "END\n\\n\\n",
      responseFormat: "json_object",
      tools: '[{"type": "function", "function": {"name": "f"}}]',
      toolChoice: "fn:f",
    });
    expect(ok.errors).toEqual({});
    expect(ok.params).toEqual({
      model: "echo-small",
      temperature: 0.5,
      max_tokens: 10,
      stop: ["END", "\n\n"],
      response_format: { type: "json_object" },
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: { type: "function", function: { name: "f" } },
    });
    const bad = buildParams({ ...DEFAULT_SETTINGS, temperature: "3", maxTokens: "1.5" });
    expect(Object.keys(bad.errors).sort()).toEqual(["maxTokens", "temperature"]);
  });

  it("reads a prompt's model settings back into the form", () => {
    expect(settingsFromPrompt({ model: "m", temperature: 0.2, stop: ["\n"], tool_choice: { function: { name: "f" } } })).toEqual({
      model: "m",
      temperature: "0.2",
      stop: "\\n",
      toolChoice: "fn:f",
    });
  });
});
