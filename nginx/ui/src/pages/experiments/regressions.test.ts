import { describe, expect, it } from "vitest";
import type { ExampleRow, ExperimentSummary, RunCell } from "./compareTypes";
import {
  aggregateRows,
  betterDirection,
  chooseBaseline,
  chooseKey,
  compareExample,
  compareExamples,
  compareMetric,
  feedbackKeys,
  filterExamples,
  foreignExperimentId,
  parseChangeFilter,
  parseSelected,
  summarizeRuns,
} from "./regressions";

let counter = 0;
function run(scores: Record<string, number | null>, extra: Partial<RunCell> = {}): RunCell {
  counter += 1;
  const feedback: RunCell["feedback"] = {};
  for (const [key, avg] of Object.entries(scores)) feedback[key] = { n: 1, avg };
  return {
    id: `run-${counter}`,
    trace_id: `trace-${counter}`,
    status: "success",
    error: null,
    outputs: { answer: "x" },
    latency: 1,
    total_tokens: 100,
    total_cost: null,
    start_time: "2025-01-01T00:00:00",
    feedback,
    ...extra,
  };
}

function example(runs: Record<string, RunCell[]>, id = "ex"): ExampleRow {
  return { id, inputs: { q: "?" }, outputs: { a: "!" }, metadata: {}, runs };
}

function experiment(id: string, extra: Partial<ExperimentSummary> = {}): ExperimentSummary {
  return {
    id,
    name: id,
    start_time: "2025-01-01T00:00:00",
    metadata: {},
    run_count: 10,
    example_count: 10,
    error_rate: 0,
    latency_p50: 1,
    latency_p99: 2,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 1000,
    total_cost: 0.5,
    feedback: {},
    session_feedback: {},
    ...extra,
  };
}

describe("direction of better", () => {
  it("prefers higher scores and lower latency, cost, tokens and error rate", () => {
    expect(betterDirection("score")).toBe("higher");
    expect(betterDirection("session_score")).toBe("higher");
    for (const m of ["latency_p50", "latency_p99", "latency", "total_cost", "cost", "total_tokens", "error_rate"] as const)
      expect(betterDirection(m)).toBe("lower");
    expect(betterDirection("run_count")).toBeNull();
  });

  it("tones deltas by direction", () => {
    expect(compareMetric("score", 0.5, 0.8).tone).toBe("better");
    expect(compareMetric("score", 0.8, 0.5).tone).toBe("worse");
    expect(compareMetric("latency_p50", 2, 1).tone).toBe("better");
    expect(compareMetric("latency_p50", 1, 2).tone).toBe("worse");
    expect(compareMetric("total_cost", 0.1, 0.2).tone).toBe("worse");
    expect(compareMetric("error_rate", 0.1, 0).tone).toBe("better");
    expect(compareMetric("run_count", 10, 20).tone).toBe("neutral");
    expect(compareMetric("score", 0.5, 0.5).tone).toBe("same");
  });

  it("computes absolute and relative deltas, and nothing when a side is missing", () => {
    const d = compareMetric("latency_p50", 2, 3);
    expect(d.delta).toBeCloseTo(1);
    expect(d.relative).toBeCloseTo(0.5);
    expect(compareMetric("total_cost", 0, 1).relative).toBeNull();
    expect(compareMetric("score", null, 1)).toEqual({ delta: null, relative: null, tone: "neutral" });
    expect(compareMetric("score", 1, undefined).tone).toBe("neutral");
  });

  it("treats float noise as the same", () => {
    expect(compareMetric("score", 0.1 + 0.2, 0.3).tone).toBe("same");
  });
});

describe("repetitions", () => {
  it("averages scores over the runs that have them", () => {
    const s = summarizeRuns([run({ correct: 1 }), run({ correct: 0 }), run({ correct: 1, other: 0.5 })]);
    expect(s.runs).toBe(3);
    expect(s.scores.correct.avg).toBeCloseTo(2 / 3);
    expect(s.scores.correct.runs).toBe(3);
    expect(s.scores.other).toEqual({ avg: 0.5, runs: 1, perRun: [null, null, 0.5] });
  });

  it("averages latency, tokens and cost, and counts errors", () => {
    const s = summarizeRuns([
      run({}, { latency: 1, total_tokens: 100, total_cost: 0.01 }),
      run({}, { latency: 3, total_tokens: 300, total_cost: null, status: "error", error: "boom" }),
    ]);
    expect(s.latency).toBe(2);
    expect(s.tokens).toBe(200);
    expect(s.cost).toBe(0.01);
    expect(s.errors).toBe(1);
  });

  it("summarises no runs as empty", () => {
    const s = summarizeRuns(undefined);
    expect(s).toEqual({ runs: 0, errors: 0, latency: null, tokens: null, cost: null, scores: {} });
  });

  it("ignores null scores (non-numeric feedback)", () => {
    const s = summarizeRuns([run({ label: null }), run({ label: 1 })]);
    expect(s.scores.label.avg).toBe(1);
    expect(s.scores.label.runs).toBe(1);
  });
});

describe("per-example comparison against the baseline", () => {
  const ids = ["base", "cand", "third"];

  it("marks lower scores as regressions and higher as improvements", () => {
    const row = example({
      base: [run({ correct: 1 })],
      cand: [run({ correct: 0 })],
      third: [run({ correct: 1 })],
    });
    const cells = compareExample(row, ids, "base", "correct");
    expect(cells.base.change).toBe("baseline");
    expect(cells.cand.change).toBe("regression");
    expect(cells.cand.delta).toBe(-1);
    expect(cells.cand.baselineScore).toBe(1);
    expect(cells.third.change).toBe("same");

    const flipped = compareExample(row, ids, "cand", "correct");
    expect(flipped.base.change).toBe("improvement");
    expect(flipped.base.delta).toBe(1);
  });

  it("compares averaged repetitions", () => {
    const row = example({
      base: [run({ correct: 1 }), run({ correct: 0 })], // 0.5
      cand: [run({ correct: 1 }), run({ correct: 1 }), run({ correct: 0 })], // 0.667
    });
    const cells = compareExample(row, ["base", "cand"], "base", "correct");
    expect(cells.cand.change).toBe("improvement");
    expect(cells.cand.delta).toBeCloseTo(1 / 6);
  });

  it("only compares the chosen key", () => {
    const row = example({ base: [run({ a: 1, b: 0 })], cand: [run({ a: 0, b: 1 })] });
    expect(compareExample(row, ["base", "cand"], "base", "a").cand.change).toBe("regression");
    expect(compareExample(row, ["base", "cand"], "base", "b").cand.change).toBe("improvement");
  });

  it("has nothing to compare when a side has no run or no score", () => {
    const row = example({ base: [run({ a: 1 })], cand: [] });
    expect(compareExample(row, ["base", "cand"], "base", "a").cand.change).toBe("missing");
    const row2 = example({ base: [run({})], cand: [run({ a: 1 })] });
    expect(compareExample(row2, ["base", "cand"], "base", "a").cand.change).toBe("missing");
    expect(compareExample(row2, ["base", "cand"], "base", null).cand.change).toBe("missing");
  });

  it("counts and filters regressions and improvements per example", () => {
    const rows = [
      example({ base: [run({ a: 1 })], cand: [run({ a: 0 })] }, "down"),
      example({ base: [run({ a: 0 })], cand: [run({ a: 1 })] }, "up"),
      example({ base: [run({ a: 1 })], cand: [run({ a: 1 })] }, "flat"),
    ];
    const compared = compareExamples(rows, ["base", "cand"], "base", "a");
    expect(compared.map((c) => [c.regressions, c.improvements])).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(filterExamples(compared, "regressions").map((c) => c.row.id)).toEqual(["down"]);
    expect(filterExamples(compared, "improvements").map((c) => c.row.id)).toEqual(["up"]);
    expect(filterExamples(compared, "all")).toHaveLength(3);
  });
});

describe("aggregates", () => {
  it("shows deltas vs the baseline, toned by the metric's direction", () => {
    const experiments = [
      experiment("base", {
        latency_p50: 1,
        error_rate: 0.1,
        total_cost: 1,
        feedback: { correct: { n: 10, avg: 0.9, stdev: 0.1 } },
        session_feedback: { f1: { n: 1, avg: 0.8, stdev: 0 } },
      }),
      experiment("cand", {
        latency_p50: 2,
        error_rate: 0,
        total_cost: 0.5,
        feedback: { correct: { n: 10, avg: 0.6, stdev: 0.1 } },
        session_feedback: { f1: { n: 1, avg: 0.9, stdev: 0 } },
      }),
    ];
    const rows = aggregateRows(experiments, "base");
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(by.latency_p50.values.base.delta).toBeNull();
    expect(by.latency_p50.values.cand.delta?.tone).toBe("worse");
    expect(by.error_rate.values.cand.delta?.tone).toBe("better");
    expect(by.total_cost.values.cand.delta?.tone).toBe("better");
    expect(by["score:correct"].values.cand.delta?.tone).toBe("worse");
    expect(by["score:correct"].values.cand.delta?.delta).toBeCloseTo(-0.3);
    expect(by["summary:f1"].group).toBe("summary");
    expect(by["summary:f1"].values.cand.delta?.tone).toBe("better");
    expect(by.run_count.values.cand.delta?.tone).toBe("same");
  });
});

describe("url state helpers", () => {
  it("parses selected sessions from comma lists and repeated params", () => {
    expect(parseSelected(["A,b", " c ,a", ""])).toEqual(["a", "b", "c"]);
    expect(parseSelected([])).toEqual([]);
  });

  it("falls back to the first selected baseline and the first key", () => {
    expect(chooseBaseline(["a", "b"], "b")).toBe("b");
    expect(chooseBaseline(["a", "b"], "z")).toBe("a");
    expect(chooseBaseline([], "z")).toBeNull();
    expect(chooseKey(["x", "y"], "y")).toBe("y");
    expect(chooseKey(["x", "y"], "nope")).toBe("x");
    expect(chooseKey([], null)).toBeNull();
    // Without a request, the key that moved most against the baseline.
    const exps = [
      experiment("a", { feedback: { x: { n: 1, avg: 0.5, stdev: 0 }, y: { n: 1, avg: 0.9, stdev: 0 } } }),
      experiment("b", { feedback: { x: { n: 1, avg: 0.45, stdev: 0 }, y: { n: 1, avg: 0.4, stdev: 0 } } }),
    ];
    expect(chooseKey(["x", "y"], null, exps, "a")).toBe("y");
    expect(chooseKey(["x", "y"], "x", exps, "a")).toBe("x");
    expect(chooseKey(["x", "y"], null, exps.slice(0, 1), "a")).toBe("x");
    expect(parseChangeFilter("regressions")).toBe("regressions");
    expect(parseChangeFilter("bogus")).toBe("all");
  });

  it("collects feedback keys from aggregates and page runs", () => {
    const keys = feedbackKeys(
      [experiment("a", { feedback: { z: { n: 1, avg: 1, stdev: 0 } } })],
      [example({ a: [run({ b: 1 })] })],
    );
    expect(keys).toEqual(["b", "z"]);
  });

  it("reads the foreign experiment id from the API's error", () => {
    expect(
      foreignExperimentId("experiment 0f8fad5b-d9cb-469f-a165-70867728950e is not an experiment on this dataset"),
    ).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(foreignExperimentId("something else")).toBeNull();
  });
});
