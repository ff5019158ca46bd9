import { describe, expect, it } from "vitest";
import { buildTree } from "./tree";
import { subtreeTotals } from "./TraceTree";
import type { TraceRun } from "./useTrace";

function run(id: string, parent: string | null, tokens: number, cost = 0): TraceRun {
  return {
    id,
    name: id,
    run_type: parent ? "llm" : "chain",
    start_time: "2026-01-01T00:00:00Z",
    parent_run_id: parent,
    dotted_order: parent ? `20260101T000000000000Z${parent}.20260101T000000000001Z${id}` : `20260101T000000000000Z${id}`,
    trace_id: "root",
    session_id: "p",
    total_tokens: tokens,
    total_cost: cost,
  } as TraceRun;
}

describe("subtreeTotals", () => {
  it("does not count a root twice when the API already rolled its trace up", () => {
    // The API reports a root's usage as its trace's: 30 = 10 + 20.
    const roots = buildTree([run("root", null, 30, 0.3), run("a", "root", 10, 0.1), run("b", "root", 20, 0.2)]);
    const totals = subtreeTotals(roots);
    expect(totals.get("root")?.tokens).toBe(30);
    expect(totals.get("root")?.cost).toBeCloseTo(0.3, 12);
    expect(totals.get("a")).toEqual({ tokens: 10, cost: 0.1 });
  });

  it("sums the children of a parent that reports nothing", () => {
    const roots = buildTree([run("root", null, 0), run("a", "root", 10, 0.1), run("b", "root", 20, 0.2)]);
    const root = subtreeTotals(roots).get("root");
    expect(root?.tokens).toBe(30);
    expect(root?.cost).toBeCloseTo(0.3, 12);
  });
});
