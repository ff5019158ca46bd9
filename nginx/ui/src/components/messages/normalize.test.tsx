import { describe, expect, it } from "vitest";
import { contentParts, toConversation, toMessage, unwrapSingle } from "./normalize";

describe("normalize", () => {
  it("maps LangChain class names and types to roles", () => {
    const lc = (cls: string) => ({ lc: 1, type: "constructor", id: ["langchain_core", "messages", cls], kwargs: { content: "x" } });
    expect(["HumanMessage", "AIMessage", "SystemMessage", "ToolMessage", "AIMessageChunk"].map((c) => toMessage(lc(c))?.role)).toEqual([
      "user",
      "assistant",
      "system",
      "tool",
      "assistant",
    ]);
    expect(toMessage({ lc: 1, type: "constructor", id: ["langchain", "prompts", "PromptTemplate"], kwargs: {} })).toBeNull();
    expect(toMessage({ type: "ai", content: "hi" })?.role).toBe("assistant");
  });

  it("parses OpenAI tool call arguments and keeps invalid JSON as text", () => {
    const m = toMessage({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "1", type: "function", function: { name: "a", arguments: '{"x": 1}' } },
        { id: "2", type: "function", function: { name: "b", arguments: '{"x": ' } },
      ],
    });
    expect(m?.toolCalls).toEqual([
      { id: "1", name: "a", args: { x: 1 } },
      { id: "2", name: "b", args: '{"x": ' },
    ]);
    expect(m?.content).toEqual([]);
  });

  it("reads Anthropic content blocks", () => {
    const m = toMessage({
      role: "assistant",
      content: [
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "tu_1", name: "search", input: { q: "x" } },
      ],
    });
    expect(m?.content).toEqual([{ kind: "text", text: "Let me check." }]);
    expect(m?.toolCalls).toEqual([{ id: "tu_1", name: "search", args: { q: "x" } }]);
    const parts = contentParts([
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "AAAA" } },
      { type: "tool_result", tool_use_id: "tu_1", content: "42" },
    ]);
    expect(parts[0]).toEqual({ kind: "image", url: "data:image/jpeg;base64,AAAA" });
    expect(parts[1]).toEqual({ kind: "tool_result", toolCallId: "tu_1", content: [{ kind: "text", text: "42" }] });
  });

  it("finds messages in containers and returns the other keys", () => {
    expect(toConversation({ messages: [{ role: "user", content: "q" }], temperature: 0 })?.rest).toEqual({ temperature: 0 });
    expect(toConversation({ choices: [{ message: { role: "assistant", content: "a" } }], usage: { total_tokens: 3 } })?.messages[0].role).toBe(
      "assistant",
    );
    expect(toConversation({ prompts: ["Say hi"] })?.messages[0]).toEqual({ role: "user", content: [{ kind: "text", text: "Say hi" }], toolCalls: [] });
  });

  it("does not mistake ordinary data for messages", () => {
    expect(toConversation({ input: "hello" })).toBeNull();
    expect(toConversation([1, 2, 3])).toBeNull();
    expect(toConversation([])).toBeNull();
    expect(toConversation({ messages: [] })).toBeNull();
    expect(toConversation([{ role: "user", content: "a" }, { foo: 1 }])).toBeNull();
    expect(toConversation({ type: "text", data: {} })).toBeNull();
  });

  it("unwraps single-key objects only", () => {
    expect(unwrapSingle({ output: "x" })).toEqual({ key: "output", value: "x" });
    expect(unwrapSingle({ a: 1, b: 2 })).toEqual({ value: { a: 1, b: 2 } });
    expect(unwrapSingle("s")).toEqual({ value: "s" });
  });
});
