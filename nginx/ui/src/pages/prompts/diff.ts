// Line diffs between two commits' readable manifest text (see manifestText), as table rows.

import { diffLines, diffWordsWithSpace } from "diff";

export interface DiffPart {
  text: string;
  changed: boolean;
}

export interface DiffRow {
  type: "same" | "add" | "del" | "skip";
  text: string;
  /** Line numbers in the base (old) and target (new) text; null where the line is absent. */
  oldNo: number | null;
  newNo: number | null;
  /** For a changed line paired with its counterpart: which words changed. */
  parts?: DiffPart[];
  /** For "skip": how many unchanged lines are folded. */
  skipped?: number;
}

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Word-level highlights for one line replaced by another. */
function wordParts(oldLine: string, newLine: string): { old: DiffPart[]; new: DiffPart[] } {
  const changes = diffWordsWithSpace(oldLine, newLine);
  return {
    old: changes.filter((c) => !c.added).map((c) => ({ text: c.value, changed: c.removed })),
    new: changes.filter((c) => !c.removed).map((c) => ({ text: c.value, changed: c.added })),
  };
}

/** Every line of both texts, marked unchanged, added or removed, with line numbers. */
export function buildDiffRows(oldText: string, newText: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldNo = 1;
  let newNo = 1;
  const changes = diffLines(oldText, newText);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i];
    const lines = splitLines(change.value);
    if (change.removed) {
      const next = changes[i + 1];
      const added = next?.added ? splitLines(next.value) : [];
      // A block replaced by one of the same size reads best as line pairs with word highlights.
      const paired = added.length === lines.length;
      const delRows: DiffRow[] = [];
      const addRows: DiffRow[] = [];
      lines.forEach((text, k) => {
        const parts = paired ? wordParts(text, added[k]) : null;
        delRows.push({ type: "del", text, oldNo: oldNo++, newNo: null, ...(parts ? { parts: parts.old } : {}) });
        if (parts) addRows.push({ type: "add", text: added[k], oldNo: null, newNo: newNo++, parts: parts.new });
      });
      rows.push(...delRows, ...addRows);
      if (paired && next?.added) i++;
    } else if (change.added) {
      for (const text of lines) rows.push({ type: "add", text, oldNo: null, newNo: newNo++ });
    } else {
      for (const text of lines) rows.push({ type: "same", text, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  return rows;
}

/** Fold runs of unchanged lines longer than 2 × `context` into one "skip" row. */
export function foldUnchanged(rows: DiffRow[], context = 3): DiffRow[] {
  const out: DiffRow[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i].type !== "same") {
      out.push(rows[i++]);
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j].type === "same") j++;
    const run = rows.slice(i, j);
    const keepHead = i === 0 ? 0 : context; // nothing to lead into before the first change
    const keepTail = j === rows.length ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      out.push(...run.slice(0, keepHead));
      const skipped = run.length - keepHead - keepTail;
      out.push({ type: "skip", text: "", oldNo: null, newNo: null, skipped });
      out.push(...run.slice(run.length - keepTail));
    } else {
      out.push(...run);
    }
    i = j;
  }
  return out;
}

export function diffStats(rows: DiffRow[]): { added: number; removed: number } {
  return {
    added: rows.filter((r) => r.type === "add").length,
    removed: rows.filter((r) => r.type === "del").length,
  };
}
