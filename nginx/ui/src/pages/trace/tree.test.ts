import { describe, expect, it } from "vitest";
import { buildTree, indexNodes, parentIdOf, visibleNodes, type TreeNode, type TreeRun } from "./tree";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function stamp(ms: number): string {
  return new Date(T0 + ms).toISOString().replace(/[-:]/g, "").replace(".", "").replace("Z", "000Z");
}

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** A run with a real dotted order under `parent`. */
function run(n: number, startMs: number, parent?: TreeRun & { dotted_order: string }) {
  const id = uuid(n);
  const segment = `${stamp(startMs)}${id}`;
  return {
    id,
    name: `run-${n}`,
    start_time: new Date(T0 + startMs).toISOString(),
    parent_run_id: parent?.id ?? null,
    dotted_order: parent ? `${parent.dotted_order}.${segment}` : segment,
  };
}

const names = (nodes: TreeNode<TreeRun & { name?: string }>[]) => nodes.map((n) => (n.run as { name: string }).name);

describe("buildTree", () => {
  it("nests runs under their parents and orders siblings by dotted order", () => {
    const root = run(1, 0);
    const a = run(2, 10, root);
    const b = run(3, 5, root); // started earlier than a: comes first
    const a1 = run(4, 20, a);
    const roots = buildTree([a1, a, root, b]);
    expect(roots).toHaveLength(1);
    expect(roots[0].run.id).toBe(root.id);
    expect(names(roots[0].children)).toEqual(["run-3", "run-2"]);
    const aNode = roots[0].children[1];
    expect(names(aNode.children)).toEqual(["run-4"]);
    expect(aNode.children[0].depth).toBe(2);
    expect(aNode.children[0].parent).toBe(aNode);
  });

  it("orders by start time when there is no dotted order", () => {
    const runs = [
      { id: "c", parent_run_id: "r", start_time: "2025-01-01T00:00:03Z" },
      { id: "r", start_time: "2025-01-01T00:00:00Z" },
      { id: "a", parent_run_id: "r", start_time: "2025-01-01T00:00:01Z" },
      { id: "b", parent_run_id: "r", start_time: "2025-01-01T00:00:02Z" },
    ];
    const roots = buildTree(runs);
    expect(roots[0].children.map((n) => n.run.id)).toEqual(["a", "b", "c"]);
  });

  it("finds the parent from the dotted order when parent_run_id is missing", () => {
    const root = run(1, 0);
    const child = { ...run(2, 1, root), parent_run_id: undefined };
    expect(parentIdOf(child)).toBe(root.id);
    expect(buildTree([child, root])[0].children[0].run.id).toBe(child.id);
  });

  it("makes orphans roots (their parent is not in the list)", () => {
    const root = run(1, 0);
    const missing = run(2, 1, root);
    const orphan = run(3, 2, missing);
    const orphanChild = run(4, 3, orphan);
    const roots = buildTree([orphanChild, orphan, root]);
    expect(roots.map((n) => n.run.id)).toEqual([root.id, orphan.id]);
    expect(roots[1].children[0].run.id).toBe(orphanChild.id);
    expect(roots[1].depth).toBe(0);
    expect(roots[1].children[0].depth).toBe(1);
  });

  it("keeps one node per id (the last copy wins)", () => {
    const root = run(1, 0);
    const child = run(2, 1, root);
    const roots = buildTree([root, child, { ...child, name: "newer" }]);
    expect(roots[0].children).toHaveLength(1);
    expect((roots[0].children[0].run as { name: string }).name).toBe("newer");
  });

  it("survives parent cycles and self-parents", () => {
    const runs = [
      { id: "a", parent_run_id: "b", start_time: "2025-01-01T00:00:00Z" },
      { id: "b", parent_run_id: "a", start_time: "2025-01-01T00:00:01Z" },
      { id: "s", parent_run_id: "s", start_time: "2025-01-01T00:00:02Z" },
    ];
    const roots = buildTree(runs);
    expect(roots.map((n) => n.run.id)).toEqual(["a", "s"]);
    expect(roots[0].children.map((n) => n.run.id)).toEqual(["b"]);
    expect(indexNodes(roots).size).toBe(3);
  });

  it("builds a 2,000-run trace, deep and wide, without recursion limits", () => {
    const runs: ReturnType<typeof run>[] = [run(0, 0)];
    // A chain 1,000 deep ...
    for (let i = 1; i < 1000; i++) runs.push(run(i, i, runs[i - 1]));
    // ... and 1,000 siblings under the root.
    for (let i = 1000; i < 2000; i++) runs.push(run(i, i, runs[0]));
    const shuffled = [...runs].reverse();
    const roots = buildTree(shuffled);
    expect(roots).toHaveLength(1);
    expect(roots[0].children).toHaveLength(1001);
    expect(indexNodes(roots).size).toBe(2000);
    let deepest = roots[0];
    while (deepest.children.length > 0) deepest = deepest.children[0];
    expect(deepest.depth).toBe(999);
    const rows = visibleNodes(roots, new Set());
    expect(rows).toHaveLength(2000);
    expect(rows.map((n) => n.run.id).slice(0, 3)).toEqual([uuid(0), uuid(1), uuid(2)]);
    // Siblings are in start order.
    const starts = roots[0].children.map((n) => n.run.start_time);
    expect([...starts].sort()).toEqual(starts);
  });
});

describe("visibleNodes", () => {
  it("lists depth-first and skips collapsed subtrees", () => {
    const root = run(1, 0);
    const a = run(2, 1, root);
    const a1 = run(3, 2, a);
    const b = run(4, 3, root);
    const roots = buildTree([root, a, a1, b]);
    expect(visibleNodes(roots, new Set()).map((n) => n.run.id)).toEqual([root.id, a.id, a1.id, b.id]);
    expect(visibleNodes(roots, new Set([a.id])).map((n) => n.run.id)).toEqual([root.id, a.id, b.id]);
    expect(visibleNodes(roots, new Set([root.id])).map((n) => n.run.id)).toEqual([root.id]);
  });
});
