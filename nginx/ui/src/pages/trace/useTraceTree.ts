import { useCallback, useMemo, useState } from "react";
import { subtreeTotals, traceSpan } from "./TraceTree";
import { buildTree, indexNodes, visibleNodes } from "./tree";
import type { TraceRun } from "./useTrace";

/**
 * A trace's runs as the tree views show them (the trace page, a queue's review, a shared trace):
 * the tree, its index, each subtree's totals, the rows left visible by the collapsed nodes, the
 * time span of the waterfall, and the root.
 */
export function useTraceTree(runs: TraceRun[], fetchedAt: number) {
  const roots = useMemo(() => buildTree(runs), [runs]);
  const index = useMemo(() => indexNodes(roots), [roots]);
  const totals = useMemo(() => subtreeTotals(roots), [roots]);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const rows = useMemo(() => visibleNodes(roots, collapsed), [roots, collapsed]);
  const now = useMemo(() => fetchedAt || Date.now(), [fetchedAt]);
  const span = useMemo(() => traceSpan(runs, now), [runs, now]);
  const root = roots.find((n) => n.run.parent_run_id == null) ?? roots[0];
  // Opens a node when `open` says so, else flips it.
  const toggle = useCallback((id: string, open?: boolean) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (open ?? next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  return { roots, index, totals, collapsed, rows, now, span, root, toggle };
}
