import { describe, expect, it } from "vitest";
import type { Example } from "./api";
import {
  buildDiffRows,
  canonical,
  checkDraft,
  csvHeader,
  diffStats,
  draftOf,
  feedbackKeys,
  guessColumns,
  templateFor,
  ioPreview,
  rowsFor,
  formatVersion,
  jsonErrorMessage,
  locateJsonError,
  parseJsonObject,
  parseSplits,
  splitsOf,
  uuid4,
} from "./logic";

const example: Example = {
  id: "e1",
  dataset_id: "d1",
  inputs: { question: "2+2?" },
  outputs: { answer: "4" },
  metadata: { source: "seed", dataset_split: ["train", "test"] },
  source_run_id: null,
  created_at: "2025-01-01T00:00:00Z",
  modified_at: "2025-01-01T00:00:00Z",
};

describe("parseJsonObject", () => {
  it("accepts an object", () => {
    expect(parseJsonObject('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });
  it("requires inputs but lets optional fields be blank or null", () => {
    expect(parseJsonObject("  ").ok).toBe(false);
    expect(parseJsonObject("", { optional: true })).toEqual({ ok: true, value: null });
    expect(parseJsonObject("null", { optional: true })).toEqual({ ok: true, value: null });
  });
  it("rejects arrays, scalars and null where an object is required", () => {
    const arr = parseJsonObject("[1]");
    expect(arr.ok).toBe(false);
    if (!arr.ok) expect(arr.error).toMatch(/not an array/);
    const str = parseJsonObject('"x"');
    if (!str.ok) expect(str.error).toMatch(/not a string/);
    expect(parseJsonObject("null").ok).toBe(false);
  });
  it("reports where a syntax error is", () => {
    const result = parseJsonObject('{\n  "a": 1,\n  "b": }');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^Line 3, column \d+/);
  });
});

describe("jsonErrorMessage", () => {
  it("points at the offending character", () => {
    expect(jsonErrorMessage("Unexpected token", '{\n "a":}')).toBe('Line 2, column 6: expected a value, unexpected "}"');
  });
  it("falls back to an engine's own line and column", () => {
    expect(jsonErrorMessage("JSON.parse: expected value at line 2 column 3 of the JSON data", "{}")).toBe(
      "Line 2, column 3: expected value",
    );
  });
});

describe("locateJsonError", () => {
  const cases: [string, RegExp][] = [
    ['{"a": 1,}', /trailing comma/],
    ["{'a': 1}", /quoted/],
    ['{"a": \'x\'}', /double quotes/],
    ['{"a" 1}', /expected ":"/],
    ['{"a": 1 "b": 2}', /expected "," or "}"/],
    ['{"a": "x', /unterminated string/],
    ["[1, 2,]", /trailing comma/],
    ["{} x", /after the JSON value/],
    ['{"a": tru}', /unexpected/],
    ["", /end of text/],
  ];
  it.each(cases)("%s", (text, message) => {
    const found = locateJsonError(text);
    expect(found?.message).toMatch(message);
    expect(() => JSON.parse(text)).toThrow();
  });
  it("accepts what JSON.parse accepts", () => {
    for (const text of ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}', "[]", "3", '"s"']) {
      expect(locateJsonError(text)).toBeNull();
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });
});

describe("splits", () => {
  it("parses a comma list, trimming and dropping blanks and repeats", () => {
    expect(parseSplits(" train, test ,, train,")).toEqual(["train", "test"]);
    expect(parseSplits("")).toEqual([]);
  });
  it("reads metadata.dataset_split as the API files it", () => {
    expect(splitsOf({ dataset_split: ["a", "b"] })).toEqual(["a", "b"]);
    expect(splitsOf({ dataset_split: "a" })).toEqual(["a"]);
    expect(splitsOf({})).toEqual(["base"]);
    expect(splitsOf(null)).toEqual(["base"]);
  });
});

describe("example drafts", () => {
  it("edits metadata without the split key and splits as a list", () => {
    const draft = draftOf(example);
    expect(JSON.parse(draft.metadata)).toEqual({ source: "seed" });
    expect(draft.splits).toBe("train, test");
  });
  it("an untouched draft is clean", () => {
    const check = checkDraft(draftOf(example), example);
    expect(check.valid).toBe(true);
    expect(check.dirty).toBe(false);
    expect(check.body).toEqual({});
  });
  it("sends only what changed", () => {
    const draft = { ...draftOf(example), outputs: '{"answer": "four"}', splits: "test" };
    const check = checkDraft(draft, example);
    expect(check.body).toEqual({ outputs: { answer: "four" }, split: ["test"] });
  });
  it("key order is not a change", () => {
    const ex = { ...example, inputs: { a: 1, b: 2 } };
    const check = checkDraft({ ...draftOf(ex), inputs: '{"b": 2, "a": 1}' }, ex);
    expect(check.dirty).toBe(false);
  });
  it("clearing outputs sends null; clearing metadata sends {}", () => {
    const check = checkDraft({ ...draftOf(example), outputs: "", metadata: "" }, example);
    expect(check.body).toEqual({ outputs: null, metadata: {} });
  });
  it("no splits means base", () => {
    const check = checkDraft({ ...draftOf(example), splits: " , " }, example);
    expect(check.body.split).toEqual(["base"]);
  });
  it("collects every field's error", () => {
    const check = checkDraft({ inputs: "[]", outputs: "{", metadata: "3", splits: "" }, example);
    expect(check.valid).toBe(false);
    expect(Object.keys(check.errors).sort()).toEqual(["inputs", "metadata", "outputs"]);
  });
  it("a new example sends everything", () => {
    const check = checkDraft({ inputs: '{"q": 1}', outputs: "", metadata: "", splits: "" }, null);
    expect(check.body).toEqual({ inputs: { q: 1 }, outputs: null, metadata: null, split: ["base"] });
  });
});

describe("csvHeader", () => {
  it("reads quoted headers with commas, quotes and a BOM", () => {
    expect(csvHeader('\uFEFFquestion,"a, b","say ""hi"""\r\n1,2,3')).toEqual(["question", "a, b", 'say "hi"']);
  });
  it("handles an empty file", () => {
    expect(csvHeader("")).toEqual([]);
  });
  it("guesses answer-like columns as outputs", () => {
    expect(guessColumns(["question", "context", "answer"])).toEqual({
      inputs: ["question", "context"],
      outputs: ["answer"],
    });
  });
});

describe("buildDiffRows", () => {
  it("marks changed lines and numbers both sides", () => {
    const rows = buildDiffRows({ a: 1, b: 2 }, { a: 1, b: 3 });
    const changed = rows.filter((r) => r.kind === "add" || r.kind === "del");
    expect(changed).toEqual([
      { kind: "del", text: '  "b": 2', oldLine: 3, newLine: null },
      { kind: "add", text: '  "b": 3', oldLine: null, newLine: 3 },
    ]);
    expect(diffStats(rows)).toEqual({ added: 1, removed: 1 });
  });
  it("an added example is all additions", () => {
    const rows = buildDiffRows(null, { a: 1 });
    expect(rows.every((r) => r.kind === "add")).toBe(true);
    expect(rows).toHaveLength(3);
  });
  it("a removed example is all removals", () => {
    expect(buildDiffRows({ a: 1 }, null).every((r) => r.kind === "del")).toBe(true);
  });
  it("collapses long unchanged runs but keeps context", () => {
    const before: Record<string, number> = {};
    for (let i = 0; i < 30; i++) before[`k${String(i).padStart(2, "0")}`] = i;
    const after = { ...before, k15: -1 };
    const rows = buildDiffRows(before, after, 2);
    const skips = rows.filter((r) => r.kind === "skip");
    expect(skips).toHaveLength(2);
    const idx = rows.findIndex((r) => r.kind === "del");
    expect(rows[idx - 1].kind).toBe("same");
    expect(rows[idx - 2].kind).toBe("same");
    expect(rows[idx - 3].kind).toBe("skip");
  });
});

describe("misc", () => {
  it("canonical sorts keys", () => {
    expect(canonical({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
  });
  it("uuid4 is a v4 uuid", () => {
    expect(uuid4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it("feedbackKeys unions and sorts", () => {
    expect(feedbackKeys([{ feedback_stats: { b: 1 } }, { feedback_stats: { a: 1, b: 2 } }, {}])).toEqual(["a", "b"]);
  });
});

describe("display helpers", () => {
  it("ioPreview", () => {
    expect(ioPreview({ question: "What\n is  2+2?" })).toBe("What is 2+2?");
    expect(ioPreview({ a: "x", b: [1, 2] })).toBe("a: x · b: [1,2]");
    expect(ioPreview({})).toBe("{}");
    expect(ioPreview(null)).toBe("");
    expect(ioPreview({ a: "y".repeat(300) }, 10)).toHaveLength(10);
  });
  it("rowsFor", () => {
    expect(rowsFor("{}")).toBe(4);
    expect(rowsFor("a\n".repeat(40))).toBe(18);
  });
  it("formatVersion adds milliseconds", () => {
    expect(formatVersion("2026-11-27T06:52:45.853712Z", () => "27 Nov 2026, 06:52:45")).toBe("27 Nov 2026, 06:52:45.853");
    expect(formatVersion("2026-11-27T06:52:45Z", () => "27 Nov 2026, 06:52:45")).toBe("27 Nov 2026, 06:52:45");
  });
});

describe("templateFor", () => {
  it("fills a schema's properties with empty values", () => {
    const schema = { type: "object", properties: { q: { type: "string" }, n: { type: "integer" }, tags: { type: "array" } } };
    expect(JSON.parse(templateFor(schema))).toEqual({ q: "", n: 0, tags: [] });
    expect(draftOf(null, { inputs_schema_definition: schema }).inputs).toBe(templateFor(schema));
  });
  it("starts chat and llm examples in their shapes", () => {
    expect(JSON.parse(draftOf(null, { data_type: "chat" }).inputs)).toEqual({ input: [{ role: "user", content: "" }] });
    expect(JSON.parse(draftOf(null, { data_type: "llm" }).outputs)).toEqual({ output: "" });
    expect(parseJsonObject(draftOf(null, { data_type: "kv" }).inputs).ok).toBe(true);
  });
  it("falls back to an empty object", () => {
    expect(parseJsonObject(templateFor(null))).toEqual({ ok: true, value: {} });
  });
});
