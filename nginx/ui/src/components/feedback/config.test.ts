import { describe, expect, it } from "vitest";
import { answerFor, choiceForKey, choiceIndex, draftFor, rangeText, widgetFor, type Widget } from "./config";

describe("widgetFor", () => {
  it("gives a categorical key its categories as choices, storing value as score and label as value", () => {
    const w = widgetFor({ type: "categorical", categories: [{ value: 0, label: "bad" }, { value: 1, label: "good" }, { value: 2 }] });
    expect(w).toEqual({
      kind: "categorical",
      choices: [
        { label: "bad", score: 0, value: "bad" },
        { label: "good", score: 1, value: "good" },
        { label: "2", score: 2, value: null },
      ],
    });
  });

  it("gives a continuous key its range and a freeform key text", () => {
    expect(widgetFor({ type: "continuous", min: 0, max: 10 })).toEqual({ kind: "continuous", min: 0, max: 10 });
    expect(widgetFor({ type: "continuous" })).toEqual({ kind: "continuous", min: null, max: null });
    expect(widgetFor({ type: "freeform" })).toEqual({ kind: "freeform" });
  });

  it("falls back to the rubric's score descriptions (in score order), then its value descriptions", () => {
    const scored = widgetFor(null, { score_descriptions: { "1": "good", "0": "bad" } });
    expect(scored.kind === "categorical" && scored.choices.map((c) => [c.label, c.score, c.hint])).toEqual([
      ["0", 0, "bad"],
      ["1", 1, "good"],
    ]);
    const valued = widgetFor(null, { value_descriptions: { yes: "right", no: "wrong" } });
    expect(valued.kind === "categorical" && valued.choices.map((c) => [c.value, c.score])).toEqual([
      ["yes", null],
      ["no", null],
    ]);
  });

  it("prefers the workspace config over the rubric, and a free score when there is neither", () => {
    expect(widgetFor({ type: "freeform" }, { score_descriptions: { "1": "x" } }).kind).toBe("freeform");
    expect(widgetFor(undefined, undefined)).toEqual({ kind: "continuous", min: null, max: null });
    // A categorical config without categories cannot be picked from: a free score instead.
    expect(widgetFor({ type: "categorical", categories: [] }).kind).toBe("continuous");
  });
});

describe("answers", () => {
  const cat: Widget = { kind: "categorical", choices: [{ label: "no", score: 0, value: "no" }, { label: "yes", score: 1, value: "yes" }] };
  const range: Widget = { kind: "continuous", min: 0, max: 5 };

  it("maps number keys to choices, 1-based, and nothing else", () => {
    expect(choiceForKey(cat, "2")?.label).toBe("yes");
    expect(choiceForKey(cat, "3")).toBeNull();
    expect(choiceForKey(cat, "0")).toBeNull();
    expect(choiceForKey(range, "1")).toBeNull();
  });

  it("turns a draft into what is stored", () => {
    expect(answerFor(cat, "1", "k")).toEqual({ answer: { score: 1, value: "yes" } });
    expect(answerFor(cat, "", "k")).toEqual({ answer: null });
    expect(choiceIndex(cat, { score: 0, value: "no" })).toBe(0);
    expect(answerFor({ kind: "freeform" }, "  looks fine ", "k")).toEqual({ answer: { score: null, value: "looks fine" } });
    expect(answerFor(range, "2.5", "k")).toEqual({ answer: { score: 2.5, value: null } });
  });

  it("shows a stored answer again as its draft", () => {
    for (const [widget, draft] of [[cat, "1"], [range, "2.5"], [{ kind: "freeform" } as Widget, "fine"]] as const) {
      expect(draftFor(widget, answerFor(widget, draft, "k").answer)).toBe(draft);
    }
    expect(draftFor(cat, { score: 7, value: "other" })).toBe(""); // a category the config no longer has
    expect(draftFor(range, null)).toBe("");
  });

  it("names the key and the bound a typed score breaks", () => {
    expect(answerFor(range, "7", "helpfulness").error).toBe("helpfulness: the score must be at most 5.");
    expect(answerFor(range, "-1", "helpfulness").error).toBe("helpfulness: the score must be at least 0.");
    expect(answerFor(range, "lots", "helpfulness").error).toMatch(/^helpfulness: the score must be a number/);
    expect(rangeText(range)).toBe("0–5");
    expect(rangeText({ kind: "continuous", min: null, max: null })).toBeNull();
  });
});
