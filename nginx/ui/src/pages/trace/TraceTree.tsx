import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { formatLatency, formatNumber, parseTime } from "../../lib/format";
import type { TreeNode } from "./tree";
import type { TraceRun } from "./useTrace";

export interface Totals {
  tokens: number;
  cost: number;
}

/** Tokens and cost of each node's subtree. Usage is recorded on the LLM runs, and the API reports
 * a root's as its whole trace's (as LangSmith does), so a run's figure is the larger of what it
 * reports and the sum over its children: a rolled-up root is not counted twice, and a chain that
 * reports nothing shows its children's sum. */
export function subtreeTotals(roots: TreeNode<TraceRun>[]): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  const order: TreeNode<TraceRun>[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode<TraceRun>;
    order.push(node);
    stack.push(...node.children);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const children: Totals = { tokens: 0, cost: 0 };
    for (const child of node.children) {
      const t = totals.get(child.run.id);
      if (t) {
        children.tokens += t.tokens;
        children.cost += t.cost;
      }
    }
    const tokens = node.run.total_tokens ?? 0;
    const cost = Number(node.run.total_cost ?? 0) || 0;
    totals.set(node.run.id, { tokens: Math.max(tokens, children.tokens), cost: Math.max(cost, children.cost) });
  }
  return totals;
}

export function isPending(run: { status?: string; end_time?: string | null }): boolean {
  return run.status === "pending" || (!run.end_time && run.status !== "error" && run.status !== "success");
}

export function isError(run: { status?: string }): boolean {
  return run.status === "error";
}

// Long traces (agent loops of thousands of runs) render only the rows in view: rows are a fixed
// 28 px (trace.css), so the window is arithmetic. Short traces render every row.
const ROW_HEIGHT = 28;
const WINDOW_FROM = 300;
const OVERSCAN = 20;

const TYPE_CLASSES = new Set(["llm", "chain", "tool", "retriever", "prompt", "parser", "embedding"]);

function runTypeClass(type: string): string {
  return TYPE_CLASSES.has(type) ? type : "other";
}

export interface Span {
  start: number;
  total: number;
}

/** Where the waterfall starts and how long it spans (pending runs run until `now`). */
export function traceSpan(runs: TraceRun[], now: number): Span {
  let start = Infinity;
  let end = -Infinity;
  for (const run of runs) {
    const s = parseTime(run.start_time)?.getTime();
    if (s === undefined) continue;
    const e = parseTime(run.end_time)?.getTime() ?? (isPending(run) ? Math.max(now, s) : s);
    start = Math.min(start, s);
    end = Math.max(end, e);
  }
  if (!Number.isFinite(start)) return { start: now, total: 1 };
  return { start, total: Math.max(end - start, 1) };
}

function runDuration(run: TraceRun, now: number): number | null {
  const s = parseTime(run.start_time)?.getTime();
  if (s === undefined) return null;
  const e = parseTime(run.end_time)?.getTime();
  if (e !== undefined) return (e - s) / 1000;
  return isPending(run) ? Math.max(0, (now - s) / 1000) : null;
}

function Bar({ run, span, now }: { run: TraceRun; span: Span; now: number }) {
  const s = parseTime(run.start_time)?.getTime() ?? span.start;
  const pending = isPending(run);
  const e = parseTime(run.end_time)?.getTime() ?? (pending ? Math.max(now, s) : s);
  const left = ((s - span.start) / span.total) * 100;
  const width = Math.max(((e - s) / span.total) * 100, 0.6);
  const cls = `wf-bar type-${runTypeClass(run.run_type)}${isError(run) ? " err" : ""}${pending ? " pending" : ""}`;
  return (
    <div className="wf-track" aria-hidden="true">
      <div className={cls} style={{ left: `${Math.min(left, 99.4)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.4))}%` }} />
    </div>
  );
}

const Row = memo(function Row({
  node,
  open,
  selected,
  tabbable,
  place,
  tokens,
  span,
  now,
  onSelect,
  onToggle,
}: {
  node: TreeNode<TraceRun>;
  open: boolean;
  selected: boolean;
  tabbable: boolean;
  place: { pos: number; size: number } | undefined;
  tokens: number | undefined;
  span: Span;
  now: number;
  onSelect: (id: string) => void;
  onToggle: (id: string, open?: boolean) => void;
}) {
  const { run } = node;
  const hasChildren = node.children.length > 0;
  const pending = isPending(run);
  const error = isError(run);
  const duration = runDuration(run, now);
  const statusText = error ? ", error" : pending ? ", running" : "";
  return (
    <div
      data-run-id={run.id}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-expanded={hasChildren ? open : undefined}
      aria-selected={selected}
      aria-posinset={place?.pos ?? 1}
      aria-setsize={place?.size ?? 1}
      aria-label={`${run.name}, ${run.run_type}${statusText}, ${formatLatency(duration)}`}
      tabIndex={tabbable ? 0 : -1}
      className={`trace-row${selected ? " selected" : ""}${error ? " err" : ""}`}
      onClick={() => onSelect(run.id)}
    >
      <span className="trace-name" style={{ paddingLeft: `${Math.min(node.depth, 24) * 14}px` }}>
        <span
          className={`trace-toggle${hasChildren ? "" : " leaf"}`}
          aria-hidden="true"
          onClick={(event) => {
            if (!hasChildren) return;
            event.stopPropagation();
            onToggle(run.id);
          }}
        >
          {hasChildren ? (open ? "▾" : "▸") : ""}
        </span>
        <span className={`run-dot type-${runTypeClass(run.run_type)}`} aria-hidden="true" />
        <span className="trace-run-name" title={run.name}>
          {run.name}
        </span>
        {error && (
          <span className="trace-flag err" aria-hidden="true" title="Error">
            !
          </span>
        )}
        {pending && <span className="spinner trace-spinner" aria-hidden="true" title="Running" />}
        {!open && hasChildren && <span className="trace-count muted">{node.children.length}</span>}
      </span>
      <span className="num muted trace-metric">{tokens ? formatNumber(tokens) : ""}</span>
      <span className={`num trace-metric${error ? " err-text" : ""}`}>{formatLatency(duration)}</span>
      <Bar run={run} span={span} now={now} />
    </div>
  );
});

export function TraceTree({
  rows,
  selectedId,
  collapsed,
  totals,
  span,
  now,
  onSelect,
  onToggle,
}: {
  rows: TreeNode<TraceRun>[];
  selectedId: string;
  collapsed: ReadonlySet<string>;
  totals: Map<string, Totals>;
  span: Span;
  now: number;
  onSelect: (id: string) => void;
  onToggle: (id: string, open?: boolean) => void;
}) {
  const treeRef = useRef<HTMLDivElement>(null);
  // Stable handlers, so a selection change re-renders two rows rather than the whole tree.
  const handlers = useRef({ onSelect, onToggle });
  handlers.current = { onSelect, onToggle };
  const stableSelect = useCallback((id: string) => handlers.current.onSelect(id), []);
  const stableToggle = useCallback((id: string, open?: boolean) => handlers.current.onToggle(id, open), []);
  const positions = useMemo(() => {
    // aria-posinset / aria-setsize: a row's place among its siblings.
    const map = new Map<string, { pos: number; size: number }>();
    const roots = rows.filter((n) => n.parent === null);
    roots.forEach((n, i) => map.set(n.run.id, { pos: i + 1, size: roots.length }));
    for (const node of rows) {
      node.children.forEach((c, i) => map.set(c.run.id, { pos: i + 1, size: node.children.length }));
    }
    return map;
  }, [rows]);

  const rowIndex = useMemo(() => new Map(rows.map((n, i) => [n.run.id, i])), [rows]);
  const index = rowIndex.get(selectedId) ?? -1;

  const windowed = rows.length > WINDOW_FROM;
  const [view, setView] = useState({ top: 0, height: 600 });
  useLayoutEffect(() => {
    const tree = treeRef.current;
    if (!tree || !windowed) return;
    const measure = () => setView({ top: tree.scrollTop, height: tree.clientHeight || 600 });
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(tree);
    return () => observer.disconnect();
  }, [windowed]);
  const first = windowed ? Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN) : 0;
  const last = windowed ? Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN) : rows.length;

  // Keep the selected row in view, and focus on it while the keyboard drives the tree (its
  // previous row may have left the window, taking the focus with it).
  // Scrolling happens only when the selection changes, never while the person scrolls.
  const keyboard = useRef(false);
  useEffect(() => {
    const tree = treeRef.current;
    if (!tree) return;
    if (windowed && index >= 0) {
      const top = index * ROW_HEIGHT;
      if (top < tree.scrollTop) tree.scrollTop = top;
      else if (top + ROW_HEIGHT > tree.scrollTop + tree.clientHeight) tree.scrollTop = top + ROW_HEIGHT - tree.clientHeight;
    } else {
      tree.querySelector<HTMLElement>(`[data-run-id="${selectedId}"]`)?.scrollIntoView({ block: "nearest" });
    }
  }, [selectedId, index, windowed]);
  useEffect(() => {
    const tree = treeRef.current;
    const el = tree?.querySelector<HTMLElement>(`[data-run-id="${selectedId}"]`);
    if (!tree || !el || document.activeElement === el) return;
    if (keyboard.current || tree.contains(document.activeElement)) el.focus({ preventScroll: true });
  }, [selectedId, first]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    keyboard.current = true;
    const node = index >= 0 ? rows[index] : undefined;
    let handled = true;
    switch (event.key) {
      case "ArrowDown":
        if (index < 0 && rows.length > 0) onSelect(rows[0].run.id);
        else if (index < rows.length - 1) onSelect(rows[index + 1].run.id);
        break;
      case "ArrowUp":
        if (index > 0) onSelect(rows[index - 1].run.id);
        break;
      case "Home":
        if (rows.length > 0) onSelect(rows[0].run.id);
        break;
      case "End":
        if (rows.length > 0) onSelect(rows[rows.length - 1].run.id);
        break;
      case "ArrowRight":
        if (!node || node.children.length === 0) break;
        if (collapsed.has(node.run.id)) onToggle(node.run.id, true);
        else onSelect(node.children[0].run.id);
        break;
      case "ArrowLeft":
        if (!node) break;
        if (node.children.length > 0 && !collapsed.has(node.run.id)) onToggle(node.run.id, false);
        else if (node.parent) onSelect(node.parent.run.id);
        break;
      case "Enter":
      case " ": {
        const target = (event.target as HTMLElement).closest<HTMLElement>("[data-run-id]");
        if (target?.dataset.runId) onSelect(target.dataset.runId);
        break;
      }
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  return (
    <div className="trace-tree-wrap">
      <div className="trace-tree-head" aria-hidden="true">
        <span>Run</span>
        <span className="num">Tokens</span>
        <span className="num">Latency</span>
        <span className="wf-axis">
          <span>0</span>
          <span>{formatLatency(span.total / 1000)}</span>
        </span>
      </div>
      <div
        ref={treeRef}
        className="trace-tree"
        role="tree"
        aria-label="Runs in this trace"
        onKeyDown={onKeyDown}
        onMouseDown={() => (keyboard.current = false)}
        onScroll={windowed ? (e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight }) : undefined}
      >
        {first > 0 && <div style={{ height: first * ROW_HEIGHT }} aria-hidden="true" />}
        {rows.slice(first, last).map((node) => (
          <Row
            key={node.run.id}
            node={node}
            open={node.children.length > 0 && !collapsed.has(node.run.id)}
            selected={node.run.id === selectedId}
            tabbable={node.run.id === selectedId || (index < 0 && node === rows[0])}
            place={positions.get(node.run.id)}
            tokens={totals.get(node.run.id)?.tokens}
            span={span}
            now={now}
            onSelect={stableSelect}
            onToggle={stableToggle}
          />
        ))}
        {last < rows.length && <div style={{ height: (rows.length - last) * ROW_HEIGHT }} aria-hidden="true" />}
      </div>
    </div>
  );
}
