// The runs table's optional columns, which API fields each needs, and the chooser's persistence.

export const COLUMNS = [
  { id: "type", label: "Type", fields: ["run_type"] },
  // The error's first line (error_preview), not the whole traceback: a page of 100 stays small.
  { id: "status", label: "Status", fields: ["status", "error_preview"] },
  // Previews are made on the server from the page's runs' payloads (one line each).
  { id: "input", label: "Input", fields: ["inputs_preview"] },
  { id: "output", label: "Output", fields: ["outputs_preview", "error_preview"] },
  { id: "start", label: "Start time", fields: ["start_time"] },
  { id: "start_abs", label: "Start time (absolute)", fields: ["start_time"] },
  { id: "latency", label: "Latency", fields: ["latency"] },
  { id: "tokens", label: "Tokens", fields: ["total_tokens", "prompt_tokens", "completion_tokens"] },
  { id: "cost", label: "Cost", fields: ["total_cost"] },
  { id: "feedback", label: "Feedback", fields: ["feedback_stats"] },
  { id: "tags", label: "Tags", fields: ["tags"] },
] as const;

export type ColumnId = (typeof COLUMNS)[number]["id"];
export const ALL_COLUMNS: ColumnId[] = COLUMNS.map((c) => c.id);
/** Off until chosen: the relative start time says the same at a glance. */
export const HIDDEN_BY_DEFAULT: ColumnId[] = ["start_abs"];
export const DEFAULT_COLUMNS: ColumnId[] = ALL_COLUMNS.filter((c) => !HIDDEN_BY_DEFAULT.includes(c));

// The hidden columns are stored (not the shown ones), so a column added later shows by default
// for someone who chose their columns before it existed.
const STORAGE_KEY = "tracehouse.runs.hiddenColumns";
const PAGE_SIZE_KEY = "tracehouse.runs.pageSize";
export const PAGE_SIZES = [50, 100, 200] as const;

/** The fields /runs/query should return for these columns (the name column is always shown). */
export function selectFor(visible: ColumnId[]): string[] {
  const fields = new Set<string>(["id", "name", "trace_id", "start_time"]);
  for (const column of COLUMNS) if (visible.includes(column.id)) column.fields.forEach((f) => fields.add(f));
  return [...fields];
}

// ---------------------------------------------------------------------------------------------
// Sorting: the orders /runs/query's `sort_by` offers, by the column whose header sorts them.

export type SortField = "start_time" | "latency" | "total_tokens" | "total_cost" | "name";
export type SortOrder = "asc" | "desc";
export interface Sort {
  by: SortField;
  order: SortOrder;
}
export const DEFAULT_SORT: Sort = { by: "start_time", order: "desc" };
export const SORT_OF_COLUMN: Partial<Record<ColumnId | "name", SortField>> = {
  name: "name",
  start: "start_time",
  start_abs: "start_time",
  latency: "latency",
  tokens: "total_tokens",
  cost: "total_cost",
};

/** The order in the URL (?sort=latency&order=asc); anything unknown is the default. */
export function sortFromParams(params: URLSearchParams): Sort {
  const by = params.get("sort") as SortField | null;
  const known = by !== null && Object.values(SORT_OF_COLUMN).includes(by);
  const order = params.get("order") === "asc" ? "asc" : params.get("order") === "desc" ? "desc" : undefined;
  if (!known) return { ...DEFAULT_SORT, order: order ?? DEFAULT_SORT.order };
  return { by, order: order ?? firstOrder(by) };
}

/** `base` with the order set (the default leaves no trace in the URL). */
export function sortToParams(sort: Sort, base: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(base);
  params.delete("sort");
  params.delete("order");
  if (sort.by !== DEFAULT_SORT.by) params.set("sort", sort.by);
  if (sort.order !== firstOrder(sort.by)) params.set("order", sort.order);
  return params;
}

/** Names read A→Z first; figures and times biggest (latest) first. */
export function firstOrder(by: SortField): SortOrder {
  return by === "name" ? "asc" : "desc";
}

/** Clicking a header: the same column flips its order, another starts at its first order. */
export function nextSort(current: Sort, by: SortField): Sort {
  if (current.by === by) return { by, order: current.order === "asc" ? "desc" : "asc" };
  return { by, order: firstOrder(by) };
}

export function ariaSort(current: Sort, by: SortField | undefined): "ascending" | "descending" | undefined {
  if (!by || current.by !== by) return undefined;
  return current.order === "asc" ? "ascending" : "descending";
}

export function loadColumns(): ColumnId[] {
  try {
    const hidden = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as unknown;
    if (Array.isArray(hidden)) return ALL_COLUMNS.filter((c) => !hidden.includes(c));
  } catch {
    // unreadable storage: defaults
  }
  return DEFAULT_COLUMNS;
}

export function saveColumns(columns: ColumnId[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(ALL_COLUMNS.filter((c) => !columns.includes(c))));
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
