import { describe, expect, it } from "vitest";
import {
  fillTemplate,
  manifestToPrompt,
  message,
  messageVariables,
  mustacheToFString,
  parsePromptRef,
  parseTemplate,
  renameVariables,
  renderMessages,
  templateMessages,
} from "./template";

const lc = (path: string[], kwargs: Record<string, unknown>) => ({ lc: 1, type: "constructor", id: path, kwargs });
const tpl = (template: string, template_format = "f-string") =>
  lc(["langchain", "prompts", "prompt", "PromptTemplate"], { template, template_format, input_variables: [] });

describe("templates", () => {
  it("finds variables in order, once each, skipping doubled braces", () => {
    const messages = [
      message("system", "You answer about {topic}. JSON: {{\"a\": 1}}"),
      message("user", "{question} about {topic}"),
      message("placeholder", "history"),
    ];
    expect(messageVariables(messages)).toEqual([
      { name: "topic", kind: "text" },
      { name: "question", kind: "text" },
      { name: "history", kind: "messages" },
    ]);
  });

  it("fills like Python's str.format", () => {
    expect(fillTemplate("Q: {q} {{literal}}", { q: "why?" })).toBe("Q: why? {literal}");
    expect(() => fillTemplate("{q}", {})).toThrow(/missing variable q/);
  });

  it("explains malformed templates", () => {
    expect(parseTemplate('{"a": 1}').error).toMatch(/not a variable name/);
    expect(parseTemplate("open { only").error).toMatch(/never closed/);
    expect(parseTemplate("close } only").error).toMatch(/no opening/);
  });

  it("converts mustache and renames variables", () => {
    expect(mustacheToFString("Hi {{ name }}, {x}")).toBe("Hi {name}, {{x}}");
    expect(renameVariables("{q} and {{b}}", { q: "question" })).toBe("{question} and {{b}}");
  });

  it("renders messages with placeholders expanded", () => {
    const out = renderMessages(
      [message("system", "be {tone}"), message("placeholder", "history"), message("user", "{q}")],
      { tone: "brief", history: '[["human", "hi"], {"role": "ai", "content": "hello"}]', q: "and?" },
    );
    expect(out).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "and?" },
    ]);
  });

  it("keeps templates for dataset runs, mapped to input keys", () => {
    expect(templateMessages([message("user", "{q}")], { q: "question" })).toEqual([
      { role: "user", content: "{question}" },
    ]);
    expect(() => templateMessages([message("placeholder", "h")])).toThrow(/placeholder/);
    expect(templateMessages([message("system", "For {product}: {q}")], { q: "question" }, { product: "A{b}" })).toEqual([
      { role: "system", content: "For A{{b}}: {question}" },
    ]);
  });
});

describe("manifestToPrompt", () => {
  const chat = lc(["langchain", "prompts", "chat", "ChatPromptTemplate"], {
    messages: [
      lc(["langchain", "prompts", "chat", "SystemMessagePromptTemplate"], { prompt: tpl("You are {role}.") }),
      lc(["langchain", "prompts", "chat", "MessagesPlaceholder"], { variable_name: "history" }),
      lc(["langchain", "prompts", "chat", "HumanMessagePromptTemplate"], { prompt: tpl("{{ question }}", "mustache") }),
      lc(["langchain", "schema", "messages", "AIMessage"], { content: "literal {x}" }),
    ],
  });

  it("reads a ChatPromptTemplate", () => {
    const loaded = manifestToPrompt(chat);
    expect(loaded.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", "You are {role}."],
      ["placeholder", "history"],
      ["user", "{question}"],
      ["assistant", "literal {{x}}"],
    ]);
    expect(loaded.settings).toEqual({});
  });

  it("reads model parameters from prompt | model, bound or not", () => {
    const model = lc(["langchain", "chat_models", "openai", "ChatOpenAI"], {
      model_name: "echo-large",
      temperature: 0.3,
      max_tokens: 99,
    });
    const bound = lc(["langchain", "schema", "runnable", "RunnableBinding"], {
      bound: model,
      kwargs: { stop: "END", tools: [{ type: "function", function: { name: "f" } }] },
    });
    const seq = lc(["langchain", "schema", "runnable", "RunnableSequence"], { first: chat, last: bound });
    const loaded = manifestToPrompt(seq);
    expect(loaded.messages).toHaveLength(4);
    expect(loaded.settings).toEqual({
      model: "echo-large",
      temperature: 0.3,
      max_tokens: 99,
      stop: ["END"],
      tools: [{ type: "function", function: { name: "f" } }],
    });
  });

  it("reads a PromptTemplate and refuses jinja2 and unknown manifests", () => {
    expect(manifestToPrompt(tpl("Say {x}")).messages[0]).toMatchObject({ role: "user", content: "Say {x}" });
    expect(() => manifestToPrompt(tpl("{{ x }}", "jinja2"))).toThrow(/jinja2/);
    expect(() => manifestToPrompt({ foo: 1 })).toThrow(/chat prompts/);
  });
});

describe("parsePromptRef", () => {
  it("accepts owner/repo:commit, repo:commit and repo", () => {
    expect(parsePromptRef("-/qa:abc123")).toEqual({ owner: "-", repo: "qa", commit: "abc123" });
    expect(parsePromptRef("qa:prod")).toEqual({ owner: "-", repo: "qa", commit: "prod" });
    expect(parsePromptRef("qa")).toEqual({ owner: "-", repo: "qa", commit: "latest" });
    expect(parsePromptRef("  ")).toBeNull();
  });
});
