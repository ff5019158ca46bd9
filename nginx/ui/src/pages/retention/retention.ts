// Retention (issue 19): the workspace's tiers as GET /retention answers, and how a project's own
// choices (null: the workspace's) resolve into days. Mirrors app/core/retention.py's stamp_of.

export type TraceTier = "shortlived" | "longlived";

export interface WorkspaceRetention {
  default_trace_tier: TraceTier;
  shortlived_ttl_days: number;
  longlived_ttl_days: number;
  payload_ttl_days: number | null;
}

export interface ProjectRetention {
  trace_tier?: TraceTier | null;
  longlived_ttl_days?: number | null;
  payload_ttl_days?: number | null;
}

export const MAX_DAYS = 3650;

export const TIER_LABEL: Record<TraceTier, string> = { shortlived: "Short-lived", longlived: "Long-lived" };

/** The days a project's new traces and their payloads are kept. */
export function effectiveDays(ws: WorkspaceRetention, project: ProjectRetention): { tier: TraceTier; days: number; payloadDays: number } {
  const tier = project.trace_tier ?? ws.default_trace_tier;
  const long = project.longlived_ttl_days ?? ws.longlived_ttl_days;
  const days = tier === "shortlived" ? ws.shortlived_ttl_days : long;
  const payload = project.payload_ttl_days ?? ws.payload_ttl_days ?? days;
  return { tier, days, payloadDays: Math.min(payload, days) };
}

/** "14 days", "1 day". */
export function daysText(days: number): string {
  return days === 1 ? "1 day" : `${days} days`;
}

/** A whole number of days in 1..MAX_DAYS, or an error message for the field named `what`. */
export function parseDays(text: string, what: string): number | string {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > MAX_DAYS) return `${what} must be a whole number of days from 1 to ${MAX_DAYS}.`;
  return value;
}
