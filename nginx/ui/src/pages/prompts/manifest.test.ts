import { describe, expect, it } from "vitest";
import { buildChatManifest, canonicalJson, manifestText, parseManifest, templateSegments, templateVariables } from "./manifest";
import { buildDiffRows, diffStats, foldUnchanged } from "./diff";
import { CHAT, SEQUENCE, STRING } from "./manifest.fixtures";

describe("parseManifest", () => {
  it("reads a ChatPromptTemplate's messages, roles and variables", () => {
    const parsed = parseManifest(CHAT);
    expect(parsed.kind).toBe("chat");
    expect(parsed.className).toBe("ChatPromptTemplate");
    expect(parsed.messages.map((m) => [m.role, m.kind, m.template])).toEqual([
      ["system", "template", "You are {role}."],
      ["placeholder", "placeholder", "{history}"],
      ["human", "template", "{question}"],
      ["ai", "template", "ok {x}"],
    ]);
    expect(parsed.messages[0].variables).toEqual(["role"]);
    expect(parsed.messages[1].optional).toBe(true);
    expect(parsed.inputVariables).toEqual(["question", "role", "x"]);
    expect(parsed.optionalVariables).toEqual(["history"]);
    expect(parsed.model).toBeNull();
  });

  it("reads prompt | model.bind(...) as prompt plus bound model, without secrets' values", () => {
    const parsed = parseManifest(SEQUENCE);
    expect(parsed.kind).toBe("chat");
    expect(parsed.messages).toHaveLength(4);
    expect(parsed.model).toEqual({
      className: "ChatOpenAI",
      provider: "openai",
      model: "gpt-4o-mini",
      params: { temperature: 0.2, stream_usage: true },
      bound: { stop: ["END"] },
      secrets: ["OPENAI_API_KEY"],
    });
    expect(parsed.otherSteps).toEqual([]);
  });

  it("reads a plain PromptTemplate", () => {
    const parsed = parseManifest(STRING);
    expect(parsed.kind).toBe("string");
    expect(parsed.template).toBe("Hello {name}");
    expect(parsed.inputVariables).toEqual(["name"]);
  });

  it("handles custom roles, fixed messages, multimodal parts, mustache and unknown steps", () => {
    const pt = (template: string, fmt = "mustache") => ({
      lc: 1,
      type: "constructor",
      id: ["langchain", "prompts", "prompt", "PromptTemplate"],
      kwargs: { template, template_format: fmt, input_variables: [] },
    });
    const manifest = {
      lc: 1,
      type: "constructor",
      id: ["langchain", "schema", "runnable", "RunnableSequence"],
      kwargs: {
        first: {
          lc: 1,
          type: "constructor",
          id: ["langchain_core", "prompts", "structured", "StructuredPrompt"],
          kwargs: {
            template_format: "mustache",
            schema_: { title: "Answer", type: "object" },
            messages: [
              {
                lc: 1,
                type: "constructor",
                id: ["langchain", "prompts", "chat", "ChatMessagePromptTemplate"],
                kwargs: { role: "critic", prompt: pt("Judge {{answer}}") },
              },
              {
                lc: 1,
                type: "constructor",
                id: ["langchain", "prompts", "chat", "HumanMessagePromptTemplate"],
                kwargs: {
                  prompt: [
                    pt("Look at {{ img }} please"),
                    {
                      lc: 1,
                      type: "constructor",
                      id: ["langchain", "prompts", "image", "ImagePromptTemplate"],
                      kwargs: { template: { url: "{{img}}" }, template_format: "mustache" },
                    },
                  ],
                },
              },
              { lc: 1, type: "constructor", id: ["langchain", "schema", "messages", "AIMessage"], kwargs: { content: "fixed" } },
            ],
          },
        },
        middle: [
          {
            lc: 1,
            type: "constructor",
            id: ["langchain_anthropic", "chat_models", "ChatAnthropic"],
            kwargs: { model: "claude-3-5-haiku", max_tokens: 512 },
          },
        ],
        last: { lc: 1, type: "constructor", id: ["langchain", "schema", "output_parser", "StrOutputParser"], kwargs: {} },
      },
    };
    const parsed = parseManifest(manifest);
    expect(parsed.className).toBe("StructuredPrompt");
    expect(parsed.format).toBe("mustache");
    expect(parsed.schema).toEqual({ title: "Answer", type: "object" });
    expect(parsed.messages.map((m) => m.role)).toEqual(["critic", "human", "ai"]);
    expect(parsed.messages[1].template).toBe("Look at {{ img }} please\n[image: {{img}}]");
    expect(parsed.messages[1].variables).toEqual(["img"]);
    expect(parsed.messages[2].kind).toBe("message");
    // No input_variables stored: they are read from the templates.
    expect(parsed.inputVariables).toEqual(["answer", "img"]);
    expect(parsed.model).toMatchObject({ className: "ChatAnthropic", provider: "anthropic", model: "claude-3-5-haiku" });
    expect(parsed.model?.params).toEqual({ max_tokens: 512 });
    expect(parsed.otherSteps).toEqual(["StrOutputParser"]);
  });

  it("leaves anything else as unknown", () => {
    expect(parseManifest({ foo: 1 }).kind).toBe("unknown");
    expect(parseManifest(null).kind).toBe("unknown");
    expect(parseManifest("text").messages).toEqual([]);
  });
});

describe("template variables", () => {
  it("finds f-string variables and skips escaped braces", () => {
    expect(templateVariables("Hi {name}, {{literal}} {n!r} {obj.attr} {name}")).toEqual(["name", "n", "obj"]);
    expect(templateSegments("a {x} b")).toEqual([{ text: "a " }, { text: "{x}", variable: "x" }, { text: " b" }]);
    expect(templateSegments("{{ not }}")).toEqual([{ text: "{{ not }}" }]);
    expect(templateVariables("json: {}")).toEqual([]);
  });

  it("finds mustache and jinja2 variables", () => {
    expect(templateVariables("{{#items}}{{name}}{{/items}} {{{raw}}}", "mustache")).toEqual(["items", "name", "raw"]);
    expect(templateVariables("{{ user.name | upper }} {% if x %}", "jinja2")).toEqual(["user"]);
  });
});

describe("manifestText", () => {
  it("renders messages, variables and model settings, one item per line", () => {
    expect(manifestText(SEQUENCE)).toBe(
      [
        "[system]",
        "You are {role}.",
        "",
        "[placeholder, optional] {history}",
        "",
        "[human]",
        "{question}",
        "",
        "[ai]",
        "ok {x}",
        "",
        "input variables: question, role, x",
        'partial variables: {"history": []}',
        "",
        "[model] ChatOpenAI gpt-4o-mini",
        "stream_usage: true",
        "temperature: 0.2",
        'bind stop: ["END"]',
        "",
      ].join("\n"),
    );
  });

  it("falls back to sorted JSON", () => {
    expect(manifestText({ b: 1, a: [true] })).toBe('{\n  "a": [\n    true\n  ],\n  "b": 1\n}');
    expect(canonicalJson({})).toBe("{}");
  });
});

describe("diff rows", () => {
  it("numbers lines and pairs replaced lines with word highlights", () => {
    const rows = buildDiffRows("[system]\nYou are {role}.\n[human]\n{question}\n", "[system]\nYou are a terse {role}.\n[human]\nQ: {question}\nextra\n");
    expect(rows.map((r) => [r.type, r.oldNo, r.newNo, r.text])).toEqual([
      ["same", 1, 1, "[system]"],
      ["del", 2, null, "You are {role}."],
      ["add", null, 2, "You are a terse {role}."],
      ["same", 3, 3, "[human]"],
      ["del", 4, null, "{question}"],
      ["add", null, 4, "Q: {question}"],
      ["add", null, 5, "extra"],
    ]);
    expect(rows[2].parts?.filter((p) => p.changed).map((p) => p.text).join("")).toContain("terse");
    expect(rows[4].parts).toBeUndefined(); // 1 line replaced by 2: no pairing
    expect(diffStats(rows)).toEqual({ added: 3, removed: 2 });
  });

  it("folds long unchanged runs, keeping context around changes", () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const changed = old.replace("line 10", "LINE 10");
    const rows = foldUnchanged(buildDiffRows(old, changed), 2);
    expect(rows.map((r) => (r.type === "skip" ? `skip ${r.skipped}` : `${r.type} ${r.text}`))).toEqual([
      "skip 8",
      "same line 8",
      "same line 9",
      "del line 10",
      "add LINE 10",
      "same line 11",
      "same line 12",
      "skip 7",
    ]);
  });

  it("gives nothing but unchanged rows for equal texts", () => {
    const rows = buildDiffRows("a\nb\n", "a\nb\n");
    expect(diffStats(rows)).toEqual({ added: 0, removed: 0 });
    expect(rows).toHaveLength(2);
  });
});

describe("buildChatManifest", () => {
  it("writes what dumpd() writes for the same ChatPromptTemplate", () => {
    const built = buildChatManifest([
      { role: "system", text: "You are {role}." },
      { role: "placeholder", text: "history" },
      { role: "human", text: "{question}" },
      { role: "ai", text: "ok {x}" },
    ]);
    expect(built).toEqual(CHAT);
  });

  it("round-trips through parseManifest", () => {
    const parsed = parseManifest(buildChatManifest([{ role: "human", text: "Summarise {text} in {n} words" }]));
    expect(parsed.messages[0]).toMatchObject({ role: "human", template: "Summarise {text} in {n} words" });
    expect(parsed.inputVariables).toEqual(["n", "text"]);
  });
});

describe("format of a chat prompt", () => {
  it("comes from its messages when the chat prompt does not say", () => {
    const mustache = {
      lc: 1,
      type: "constructor",
      id: ["langchain", "prompts", "chat", "ChatPromptTemplate"],
      kwargs: {
        input_variables: ["text"],
        messages: [
          {
            lc: 1,
            type: "constructor",
            id: ["langchain", "prompts", "chat", "HumanMessagePromptTemplate"],
            kwargs: {
              prompt: {
                lc: 1,
                type: "constructor",
                id: ["langchain", "prompts", "prompt", "PromptTemplate"],
                kwargs: { input_variables: ["text"], template: "{{text}}", template_format: "mustache" },
              },
            },
          },
        ],
      },
    };
    expect(parseManifest(mustache).format).toBe("mustache");
    expect(parseManifest(CHAT).format).toBe("f-string");
  });
});
