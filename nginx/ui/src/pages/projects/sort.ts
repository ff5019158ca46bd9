import type { Project } from "../../api/types";
import { parseTime } from "../../lib/format";

export type SortKey =
  | "name"
  | "run_count"
  | "error_rate"
  | "latency_p50"
  | "latency_p99"
  | "total_tokens"
  | "total_cost"
  | "last_run";
export interface SortState {
  key: SortKey;
  desc: boolean;
}

function valueOf(p: Project, key: SortKey): number | string | null {
  switch (key) {
    case "name":
      return p.name.toLowerCase();
    case "last_run":
      return parseTime(p.last_run_start_time)?.getTime() ?? null;
    case "total_cost":
      return p.total_cost === null || p.total_cost === undefined ? null : Number(p.total_cost);
    default:
      return p[key] ?? null;
  }
}

/** Sort a page of projects; missing values (no runs yet) always sort last. */
export function sortProjects(projects: Project[], sort: SortState): Project[] {
  return [...projects].sort((a, b) => {
    const x = valueOf(a, sort.key);
    const y = valueOf(b, sort.key);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (sort.desc ? -order : order) || a.name.localeCompare(b.name);
  });
}
