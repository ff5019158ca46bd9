import { describe, expect, it } from "vitest";
import {
  contentParts,
  latestUserMessages,
  replyMessage,
  toChat,
  toConversation,
  toMessage,
  unwrapSingle,
  type ChatMessage,
  type Conversation,
} from "./normalize";

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

/** Each message as "role: text" (tool calls as "role: →name"), for compact assertions. */
function said(conversation: Conversation | ChatMessage[] | null): string[] | null {
  if (!conversation) return null;
  const messages = Array.isArray(conversation) ? conversation : conversation.messages;
  return messages.map((m) => {
    const text = m.content.map((p) => (p.kind === "text" ? p.text : p.kind === "image" ? `[image ${p.url}]` : `[${p.kind}]`)).join(" ");
    const calls = m.toolCalls.map((c) => `→${c.name}`).join(" ");
    return `${m.role}: ${[text, calls].filter(Boolean).join(" ")}`;
  });
}

const lcMsg = (cls: string, content: unknown) => ({ lc: 1, type: "constructor", id: ["langchain_core", "messages", cls], kwargs: { content } });

describe("toChat: input shapes", () => {
  it("reads OpenAI-style messages, keeping the other keys", () => {
    const chat = toChat({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }], model: "gpt-4o" }, "input");
    expect(said(chat)).toEqual(["system: Be brief.", "user: Hi"]);
    expect(chat?.rest).toEqual({ model: "gpt-4o" });
  });

  it("reads LangChain message dicts, both the {type, content} and the {type, data} forms", () => {
    expect(said(toChat({ messages: [{ type: "human", content: "a" }, { type: "ai", content: "b" }] }, "input"))).toEqual(["user: a", "assistant: b"]);
    expect(said(toChat([{ type: "system", data: { content: "s" } }, { type: "human", data: { content: "q" } }], "input"))).toEqual([
      "system: s",
      "user: q",
    ]);
  });

  it("reads serialized LangChain messages and [[...]] chat-model batches", () => {
    const batch = { messages: [[lcMsg("SystemMessage", "sys"), lcMsg("HumanMessage", "What is 2+2?")]] };
    expect(said(toChat(batch, "input"))).toEqual(["system: sys", "user: What is 2+2?"]);
    expect(said(toChat([[lcMsg("HumanMessage", "hey")]], "input"))).toEqual(["user: hey"]);
  });

  it("reads Anthropic content blocks: text, images and tool use", () => {
    const chat = toChat(
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "What is in" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] },
          { role: "assistant", content: [{ type: "tool_use", id: "tu1", name: "look", input: { x: 1 } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "tu1", content: "a cat" }] },
        ],
        system: "You see images.",
      },
      "input",
    );
    expect(said(chat)).toEqual([
      "system: You see images.",
      "user: What is in [image data:image/png;base64,AAAA]",
      "assistant: →look",
      "user: [tool_result]",
    ]);
    expect(chat?.rest).toBeUndefined();
  });

  it("reads single-string inputs as the user's message, naming the key", () => {
    for (const key of ["question", "input", "query"]) {
      const chat = toChat({ [key]: "Why is the sky blue?" }, "input");
      expect(said(chat)).toEqual(["user: Why is the sky blue?"]);
      expect(chat?.messages[0].name).toBe(key);
      expect(chat?.rest).toBeUndefined();
    }
    expect(said(toChat("just text", "input"))).toEqual(["user: just text"]);
    // Any object with exactly one string field: that field, the others kept aside.
    const one = toChat({ user_request: "book a table", party: 4, tags: ["x"] }, "input");
    expect(said(one)).toEqual(["user: book a table"]);
    expect(one?.rest).toEqual({ party: 4, tags: ["x"] });
  });

  it("reads {question, history} as the history then the question, whatever the history key", () => {
    const history = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello! How can I help?" },
    ];
    for (const key of ["history", "chat_history"]) {
      const chat = toChat({ [key]: history, question: "What is RAG?", user_id: "u1" }, "input");
      expect(said(chat)).toEqual(["user: Hi", "assistant: Hello! How can I help?", "user: What is RAG?"]);
      expect(chat?.rest).toEqual({ user_id: "u1" });
    }
    // A question next to a messages list comes after it.
    expect(said(toChat({ messages: history, input: "And then?" }, "input"))?.at(-1)).toBe("user: And then?");
  });

  it("leaves data that is neither messages nor one string alone", () => {
    expect(toChat({ a: 1, b: [1, 2] }, "input")).toBeNull();
    expect(toChat({ first: "x", second: "y" }, "input")).toBeNull();
    expect(toChat([1, 2, 3], "input")).toBeNull();
    expect(toChat(42, "output")).toBeNull();
    expect(toChat(null, "input")).toBeNull();
  });
});

describe("toChat: output shapes", () => {
  it("reads choices[0].message, generations and {output: message}", () => {
    expect(said(toChat({ choices: [{ message: { role: "assistant", content: "4" } }], usage: {} }, "output"))).toEqual(["assistant: 4"]);
    expect(said(toChat({ generations: [[{ text: "t", message: lcMsg("AIMessage", "from lc") }]] }, "output"))).toEqual(["assistant: from lc"]);
    expect(said(toChat({ generations: [{ text: "plain" }] }, "output"))).toEqual(["assistant: plain"]);
    expect(said(toChat({ output: { type: "ai", content: "done" } }, "output"))).toEqual(["assistant: done"]);
  });

  it("reads answer and output strings as the assistant's message", () => {
    expect(said(toChat({ answer: "42", sources: ["a"] }, "output"))).toEqual(["assistant: 42"]);
    expect(said(toChat({ output: "fine" }, "output"))).toEqual(["assistant: fine"]);
    expect(toChat({ answer: "42", sources: ["a"] }, "output")?.rest).toEqual({ sources: ["a"] });
    // An output's string is the reply even under an input-like key.
    expect(said(toChat({ question: "echo" }, "output"))).toEqual(["assistant: echo"]);
  });
});

describe("a thread turn's new messages and reply", () => {
  it("keeps only the latest user message of an input carrying the whole history", () => {
    const inputs = {
      history: [
        { role: "user", content: "one" },
        { role: "assistant", content: "two" },
        { role: "user", content: "three" },
        { role: "assistant", content: "four" },
      ],
      question: "five",
    };
    const latest = latestUserMessages(inputs);
    expect(said(latest?.messages ?? null)).toEqual(["user: five"]);
    expect(latest?.hidden).toBe(4);
  });

  it("keeps consecutive trailing user messages, and drops a lone system prompt", () => {
    const latest = latestUserMessages({
      messages: [{ role: "system", content: "s" }, { role: "user", content: "a" }, { role: "user", content: "b" }],
    });
    expect(said(latest?.messages ?? null)).toEqual(["user: a", "user: b"]);
    expect(latest?.hidden).toBe(1);
  });

  it("flattens LangChain's batches", () => {
    const latest = latestUserMessages({ messages: [[{ type: "system", content: "x" }, lcMsg("HumanMessage", "q")]] });
    expect(said(latest?.messages ?? null)).toEqual(["user: q"]);
    expect(latest?.hidden).toBe(1);
  });

  it("shows the last message when the input does not end with the user's", () => {
    const latest = latestUserMessages({ messages: [{ role: "user", content: "a" }, { role: "tool", content: "r", tool_call_id: "c" }] });
    expect(said(latest?.messages ?? null)).toEqual(["tool: r"]);
    expect(latestUserMessages({ x: 1, y: 2 })).toBeNull();
  });

  it("reads the reply as the output's last message", () => {
    expect(said(replyMessage({ answer: "Because of Rayleigh scattering." }) ? [replyMessage({ answer: "Because of Rayleigh scattering." })!] : null)).toEqual([
      "assistant: Because of Rayleigh scattering.",
    ]);
    const whole = { messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }] };
    expect(replyMessage(whole)?.role).toBe("assistant");
    expect(replyMessage({ n: 1 })).toBeNull();
    expect(replyMessage(null)).toBeNull();
  });
});
