// The runs table's keyboard shortcuts (j/k, /): which keystrokes are someone typing, and where a
// move lands. Pure functions, unit tested.

/** Keys typed into a field are text, not shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== "string") return false;
  const element = target as HTMLElement;
  const tag = element.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || element.isContentEditable === true;
}

/** The row index a move of `delta` from `current` (-1: no row focused) lands on, or null (no rows). */
export function moveRow(count: number, current: number, delta: number): number | null {
  if (count <= 0) return null;
  if (current < 0) return delta > 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, current + delta));
}
