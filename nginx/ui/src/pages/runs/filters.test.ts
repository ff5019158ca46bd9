import { describe, expect, it } from "vitest";
import {
  buildFilter,
  composeFilter,
  localizeFilterError,
  chipsOf,
  fromSearchParams,
  liftQuickFilters,
  parse,
  print,
  quickClauses,
  quote,
  removeChip,
  toSearchParams,
  type FilterState,
  type QuickFilters,
} from "./filters";

const NOW = Date.parse("2025-03-01T12:00:00.000Z");

describe("quote", () => {
  it("escapes quotes, backslashes and control characters as JSON strings", () => {
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
    expect(quote("C:\\temp")).toBe('"C:\\\\temp"');
    expect(quote("two\nlines")).toBe('"two\\nlines"');
  });

  it("quoted values parse back to the same string", () => {
    for (const value of ['a "b" c', "back\\slash", "it's", "ünïcødé ✓", "tab\there", ")(,[]"]) {
      const tree = parse(`has(tags, ${quote(value)})`);
      expect(tree.args[1]).toEqual({ kind: "lit", value });
    }
  });
});

describe("buildFilter", () => {
  it("is undefined without filters", () => {
    expect(buildFilter({ tags: [] }, "  ", NOW)).toBeUndefined();
  });

  it("sends a single clause as is", () => {
    expect(buildFilter({ tags: [], runType: "llm" }, "", NOW)).toBe('eq(run_type, "llm")');
    expect(buildFilter({ tags: [] }, ' gt(latency, "2s") ', NOW)).toBe('gt(latency, "2s")');
  });

  it("combines quick filters and raw text with and(...) in a stable order", () => {
    const quick: QuickFilters = {
      runType: "chain",
      status: "error",
      tags: ["prod", 'v"2'],
      feedback: { key: "correctness", min: 0.5 },
      range: "24h",
    };
    expect(buildFilter(quick, 'search("refund")', NOW)).toBe(
      'and(eq(run_type, "chain"), eq(status, "error"), has(tags, "prod"), has(tags, "v\\"2"), ' +
        'and(eq(feedback_key, "correctness"), gte(feedback_score, 0.5)), ' +
        'gte(start_time, "2025-02-28T12:00:00.000Z"), search("refund"))',
    );
  });

  it("feedback without a minimum score only requires the key", () => {
    expect(quickClauses({ tags: [], feedback: { key: "thumbs" } }, NOW)).toEqual(['eq(feedback_key, "thumbs")']);
  });

  it("resolves time ranges against now", () => {
    expect(quickClauses({ tags: [], range: "1h" }, NOW)).toEqual(['gte(start_time, "2025-03-01T11:00:00.000Z")']);
    expect(quickClauses({ tags: [], range: "30d" }, NOW)).toEqual(['gte(start_time, "2025-01-30T12:00:00.000Z")']);
  });

  it("builds text the parser accepts", () => {
    const text = buildFilter({ tags: ["a,b)"], status: "pending", feedback: { key: "k", min: -1 } }, "not(eq(name, 'x'))", NOW);
    expect(() => parse(text!)).not.toThrow();
  });
});

describe("parse and print", () => {
  it("parses calls, fields and literals", () => {
    expect(parse('and(eq(name, "x"), in(run_type, ["llm", "tool"]), eq(error, null), gt(total_tokens, 1.5e3))')).toEqual({
      kind: "call",
      name: "and",
      args: [
        { kind: "call", name: "eq", args: [{ kind: "field", name: "name" }, { kind: "lit", value: "x" }] },
        { kind: "call", name: "in", args: [{ kind: "field", name: "run_type" }, { kind: "lit", value: ["llm", "tool"] }] },
        { kind: "call", name: "eq", args: [{ kind: "field", name: "error" }, { kind: "lit", value: null }] },
        { kind: "call", name: "gt", args: [{ kind: "field", name: "total_tokens" }, { kind: "lit", value: 1500 }] },
      ],
    });
  });

  it("reads single-quoted strings", () => {
    expect(parse("eq(name, 'it\\'s \"x\"')").args[1]).toEqual({ kind: "lit", value: 'it\'s "x"' });
  });

  it("prints canonically and round trips", () => {
    const text = "and( eq(name,'a'),or(has(tags,\"b\"),  not(exists(error))), gte(latency, 2))";
    const printed = print(parse(text));
    expect(printed).toBe('and(eq(name, "a"), or(has(tags, "b"), not(exists(error))), gte(latency, 2))');
    expect(print(parse(printed))).toBe(printed);
  });

  it("reports where a malformed filter goes wrong", () => {
    expect(() => parse('eq(name "x")')).toThrow(/expected '\)', found "x" \(at character 9\)/);
    expect(() => parse("eq(name, 'x'")).toThrow(/unexpected end of filter/);
    expect(() => parse("eq(name, 1) extra")).toThrow(/after the end/);
    expect(() => parse("eq(name, #)")).toThrow(/unexpected character "#" \(at character 10\)/);
    expect(() => parse("")).toThrow(/empty filter/);
  });
});

describe("liftQuickFilters", () => {
  it("moves quick-filter clauses of a top-level and(...) into quick filters", () => {
    const lifted = liftQuickFilters(
      'and(eq(run_type, "llm"), has(tags, "prod"), gt(latency, "2s"), and(eq(feedback_key, "c"), gte(feedback_score, 0.8)))',
      { tags: [] },
    );
    expect(lifted).toEqual({
      quick: { tags: ["prod"], runType: "llm", feedback: { key: "c", min: 0.8 } },
      raw: 'gt(latency, "2s")',
    });
  });

  it("lifts a lone clause and leaves nothing raw", () => {
    expect(liftQuickFilters('eq(status, "error")', { tags: [] })).toEqual({ quick: { tags: [], status: "error" }, raw: "" });
  });

  it("keeps clauses whose quick filter is taken, and text it cannot lift, unchanged", () => {
    expect(liftQuickFilters('or(eq(run_type, "llm"), eq(run_type, "tool"))', { tags: [] }).raw).toBe(
      'or(eq(run_type, "llm"), eq(run_type, "tool"))',
    );
    expect(liftQuickFilters('and(eq(run_type, "tool"), gt(latency, 1))', { tags: [], runType: "llm" })).toEqual({
      quick: { tags: [], runType: "llm" },
      raw: 'and(eq(run_type, "tool"), gt(latency, 1))',
    });
    expect(liftQuickFilters("eq(name,", { tags: [] })).toEqual({ quick: { tags: [] }, raw: "eq(name," });
    expect(liftQuickFilters('eq(status, "bogus")', { tags: [] }).raw).toBe('eq(status, "bogus")');
  });

  it("round trips: build then lift gives back the quick filters and raw text", () => {
    const quick: QuickFilters = { runType: "tool", status: "success", tags: ['we"ird', "x"], feedback: { key: "k", min: 1 } };
    const raw = 'or(gt(latency, "2s"), search("a\\\\b"))';
    const built = buildFilter(quick, raw, NOW)!;
    expect(liftQuickFilters(built, { tags: [] })).toEqual({ quick, raw });
  });
});

describe("chips", () => {
  const quick: QuickFilters = { runType: "llm", status: "error", tags: ["a", "b"], feedback: { key: "k", min: 0.5 }, range: "7d" };

  it("shows one chip per active quick filter", () => {
    expect(chipsOf(quick).map((c) => c.label)).toEqual([
      "type: llm",
      "status: error",
      "tag: a",
      "tag: b",
      "feedback: k ≥ 0.5",
      "last 7 days",
    ]);
  });

  it("removing a chip removes only that clause", () => {
    expect(removeChip(quick, "tag:a")).toEqual({ ...quick, tags: ["b"] });
    const noType = removeChip(quick, "runType");
    expect(noType.runType).toBeUndefined();
    expect(buildFilter(noType, "", NOW)).not.toContain("run_type");
    expect(buildFilter(noType, "", NOW)).toContain('eq(status, "error")');
    expect(quick.tags).toEqual(["a", "b"]); // not mutated
  });
});

describe("URL search params", () => {
  it("round trips every part of the state", () => {
    const state: FilterState = {
      quick: { runType: "llm", status: "pending", tags: ["a b", "c&d"], feedback: { key: "score", min: 0 }, range: "1h" },
      raw: 'search("x")',
      rootOnly: false,
    };
    const params = toSearchParams(state);
    expect(params.getAll("tag")).toEqual(["a b", "c&d"]);
    expect(params.get("root")).toBe("0");
    expect(fromSearchParams(new URLSearchParams(params.toString()))).toEqual(state);
  });

  it("defaults to root runs only with no filters, and writes nothing for defaults", () => {
    expect(fromSearchParams(new URLSearchParams(""))).toEqual({ quick: { tags: [] }, raw: "", rootOnly: true });
    expect(toSearchParams({ quick: { tags: [] }, raw: "", rootOnly: true }).toString()).toBe("");
  });

  it("keeps unrelated params and drops stale filter params", () => {
    const base = new URLSearchParams("after=abc&type=llm&tag=old&size=50");
    const params = toSearchParams({ quick: { tags: ["new"] }, raw: "", rootOnly: true }, base);
    expect(params.get("size")).toBe("50");
    expect(params.get("after")).toBe("abc");
    expect(params.get("type")).toBeNull();
    expect(params.getAll("tag")).toEqual(["new"]);
  });

  it("ignores unknown status and range values", () => {
    expect(fromSearchParams(new URLSearchParams("status=nope&range=2y&fb=k&fbmin=x")).quick).toEqual({
      tags: [],
      feedback: { key: "k" },
    });
  });
});

describe("server error positions", () => {
  it("point into the raw text the person typed, after the quick filters' clauses", () => {
    const raw = 'eq(name "x")';
    const { filter, rawOffset } = composeFilter({ tags: [], runType: "chain" }, raw, NOW);
    expect(filter!.slice(rawOffset, rawOffset + raw.length)).toBe(raw);
    // The parser's 1-based position of "x" in the composed string:
    const serverPosition = filter!.indexOf('"x"') + 1;
    const message = `invalid filter: expected ')', found 'x' (at character ${serverPosition})`;
    expect(localizeFilterError(message, rawOffset, raw.length)).toBe("invalid filter: expected ')', found 'x' (at character 9)");
  });

  it("leave positions alone without quick filters, and drop ones outside the raw text", () => {
    expect(composeFilter({ tags: [] }, " gt(latency, 1) ", NOW)).toEqual({ filter: "gt(latency, 1)", rawOffset: 0 });
    expect(localizeFilterError("invalid filter: bad (at character 4)", 0, 10)).toBe("invalid filter: bad (at character 4)");
    expect(localizeFilterError("invalid filter: bad (at character 3)", 20, 10)).toBe("invalid filter: bad");
  });
});
