// The runs table's optional columns, which API fields each needs, and the chooser's persistence.

export const COLUMNS = [
  { id: "type", label: "Type", fields: ["run_type"] },
  { id: "status", label: "Status", fields: ["status", "error"] },
  { id: "start", label: "Start time", fields: ["start_time"] },
  { id: "latency", label: "Latency", fields: ["latency"] },
  { id: "tokens", label: "Tokens", fields: ["total_tokens", "prompt_tokens", "completion_tokens"] },
  { id: "cost", label: "Cost", fields: ["total_cost"] },
  { id: "feedback", label: "Feedback", fields: ["feedback_stats"] },
  { id: "tags", label: "Tags", fields: ["tags"] },
] as const;

export type ColumnId = (typeof COLUMNS)[number]["id"];
export const ALL_COLUMNS: ColumnId[] = COLUMNS.map((c) => c.id);

const STORAGE_KEY = "tracehouse.runs.columns";
const PAGE_SIZE_KEY = "tracehouse.runs.pageSize";
export const PAGE_SIZES = [50, 100, 200] as const;

/** The fields /runs/query should return for these columns (the name column is always shown). */
export function selectFor(visible: ColumnId[]): string[] {
  const fields = new Set<string>(["id", "name", "trace_id", "start_time"]);
  for (const column of COLUMNS) if (visible.includes(column.id)) column.fields.forEach((f) => fields.add(f));
  return [...fields];
}

export function loadColumns(): ColumnId[] {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as unknown;
    if (Array.isArray(stored)) return ALL_COLUMNS.filter((c) => stored.includes(c));
  } catch {
    // unreadable storage: defaults
  }
  return ALL_COLUMNS;
}

export function saveColumns(columns: ColumnId[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(columns));
  } catch {
    // private mode or full storage: the choice lasts for this page only
  }
}

export function loadPageSize(): number {
  const stored = Number(globalThis.localStorage?.getItem(PAGE_SIZE_KEY));
  return (PAGE_SIZES as readonly number[]).includes(stored) ? stored : 100;
}

export function savePageSize(size: number): void {
  try {
    localStorage.setItem(PAGE_SIZE_KEY, String(size));
  } catch {
    // as above
  }
}
