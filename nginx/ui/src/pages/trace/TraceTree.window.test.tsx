import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { buildTree, visibleNodes } from "./tree";
import { subtreeTotals, traceSpan, TraceTree } from "./TraceTree";
import type { TraceRun } from "./useTrace";

afterEach(cleanup);
// jsdom lays nothing out: scrolling a row into view is a no-op here.
Element.prototype.scrollIntoView = function scrollIntoView() {};

/** A root with `n` children (an agent loop), as the trace query returns it. */
function loop(n: number): TraceRun[] {
  const root = "00000000-0000-4000-8000-000000000000";
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString();
  const runs: { id: string; name: string; parent_run_id: string | null; dotted_order: string }[] = [
    { id: root, name: "agent", parent_run_id: null, dotted_order: `20260101T000000000000Z${root}` },
  ];
  for (let i = 1; i <= n; i++) {
    const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
    const stamp = `20260101T000000${String(i).padStart(6, "0")}Z`;
    runs.push({ id, name: `step-${i}`, parent_run_id: root, dotted_order: `20260101T000000000000Z${root}.${stamp}${id}` });
  }
  return runs.map((r, i) => ({ ...r, run_type: "chain", start_time: at(i), end_time: at(i + 1), trace_id: root, session_id: "p", status: "success" })) as TraceRun[];
}

function Harness({ runs }: { runs: TraceRun[] }) {
  const roots = buildTree(runs);
  const rows = visibleNodes(roots, new Set());
  const [selected, setSelected] = useState(runs[0].id);
  return (
    <TraceTree
      rows={rows}
      selectedId={selected}
      collapsed={new Set()}
      totals={subtreeTotals(roots)}
      span={traceSpan(runs, Date.UTC(2026, 0, 2))}
      now={Date.UTC(2026, 0, 2)}
      onSelect={setSelected}
      onToggle={() => {}}
    />
  );
}

describe("TraceTree", () => {
  it("renders every row of a short trace", () => {
    render(<Harness runs={loop(50)} />);
    expect(screen.getAllByRole("treeitem")).toHaveLength(51);
  });

  it("renders only the rows in view of a long one, and follows the keyboard to the end", () => {
    render(<Harness runs={loop(2000)} />);
    const shown = screen.getAllByRole("treeitem");
    expect(shown.length).toBeGreaterThan(20);
    expect(shown.length).toBeLessThan(100);
    expect(shown[0].getAttribute("aria-setsize")).toBe("1"); // the root
    expect(shown[1].getAttribute("aria-setsize")).toBe("2000"); // positions stay true when windowed
    const tree = screen.getByRole("tree");
    fireEvent.keyDown(tree, { key: "End" });
    fireEvent.scroll(tree); // the browser reports the scroll the selection caused
    const last = screen.getByRole("treeitem", { selected: true });
    expect(last.getAttribute("aria-label")).toMatch(/^step-2000,/);
    expect(last.getAttribute("aria-posinset")).toBe("2000");
  });
});
