// The run tree of a trace, built from the flat list /runs/query returns. Pure and iterative
// (no recursion), so deep or large traces cannot blow the stack.

export interface TreeRun {
  id: string;
  parent_run_id?: string | null;
  dotted_order?: string | null;
  start_time?: string | null;
}

export interface TreeNode<R extends TreeRun = TreeRun> {
  run: R;
  children: TreeNode<R>[];
  depth: number;
  parent: TreeNode<R> | null;
}

/** The parent's id: parent_run_id, else the second-to-last segment of the dotted order. */
export function parentIdOf(run: TreeRun): string | null {
  if (run.parent_run_id) return run.parent_run_id;
  if (run.dotted_order) {
    const segments = run.dotted_order.split(".");
    if (segments.length > 1) return segments[segments.length - 2].slice(-36);
  }
  return null;
}

function compareRuns(a: TreeRun, b: TreeRun): number {
  if (a.dotted_order && b.dotted_order && a.dotted_order !== b.dotted_order) {
    return a.dotted_order < b.dotted_order ? -1 : 1;
  }
  const sa = a.start_time ?? "";
  const sb = b.start_time ?? "";
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sortNodes<R extends TreeRun>(nodes: TreeNode<R>[]): void {
  nodes.sort((a, b) => compareRuns(a.run, b.run));
}

/**
 * Roots (runs without a parent in the list, i.e. the trace root and any orphans) with their
 * descendants; siblings ordered by dotted_order then start time. Duplicate ids: the last wins
 * (a later page or poll has the newer row). Input order does not matter.
 */
export function buildTree<R extends TreeRun>(runs: readonly R[]): TreeNode<R>[] {
  const nodes = new Map<string, TreeNode<R>>();
  for (const run of runs) {
    const existing = nodes.get(run.id);
    if (existing) existing.run = run;
    else nodes.set(run.id, { run, children: [], depth: 0, parent: null });
  }
  const roots: TreeNode<R>[] = [];
  for (const node of nodes.values()) {
    const parentId = parentIdOf(node.run);
    const parent = parentId && parentId !== node.run.id ? nodes.get(parentId) : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  // Walk from the roots to set depths and sort; nodes never reached sit on a parent cycle
  // (bad data): cut each cycle at its earliest run and make that a root.
  const seen = new Set<TreeNode<R>>();
  const walk = (start: TreeNode<R>) => {
    start.depth = 0;
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop() as TreeNode<R>;
      seen.add(node);
      sortNodes(node.children);
      for (const child of node.children) {
        child.depth = node.depth + 1;
        stack.push(child);
      }
    }
  };
  sortNodes(roots);
  roots.forEach(walk);
  if (seen.size < nodes.size) {
    const stranded = [...nodes.values()].filter((n) => !seen.has(n)).sort((a, b) => compareRuns(a.run, b.run));
    for (const node of stranded) {
      if (seen.has(node)) continue;
      const parent = node.parent;
      if (parent) parent.children = parent.children.filter((c) => c !== node);
      node.parent = null;
      roots.push(node);
      walk(node);
    }
    sortNodes(roots);
  }
  return roots;
}

/** The rows a tree shows: depth-first, skipping the children of collapsed nodes. */
export function visibleNodes<R extends TreeRun>(roots: TreeNode<R>[], collapsed: ReadonlySet<string>): TreeNode<R>[] {
  const out: TreeNode<R>[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode<R>;
    out.push(node);
    if (!collapsed.has(node.run.id)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
  }
  return out;
}

/** Every node by id (for lookups while navigating). */
export function indexNodes<R extends TreeRun>(roots: TreeNode<R>[]): Map<string, TreeNode<R>> {
  const index = new Map<string, TreeNode<R>>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode<R>;
    index.set(node.run.id, node);
    stack.push(...node.children);
  }
  return index;
}
