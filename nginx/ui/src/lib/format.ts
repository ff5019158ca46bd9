// Display formatting shared by every page. Missing values render as an en dash.

export const DASH = "–";

export function formatLatency(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return DASH;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds % 60)}s`;
}

// Formatters are built once: toLocaleString with options builds a new one per call (~0.1 ms),
// which a 100-row table pays several times over on every render.
const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const TIME = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const TIME_FULL = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  timeZoneName: "short",
});

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return NUMBER.format(value);
}

export function formatCost(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return DASH;
  const n = typeof value === "string" ? Number(value) : value;
  if (Number.isNaN(n)) return DASH;
  if (n === 0) return "$0";
  return n < 0.01 ? `$${n.toFixed(5)}` : `$${n.toFixed(2)}`;
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return DASH;
  return `${(ratio * 100).toFixed(ratio < 0.1 && ratio > 0 ? 1 : 0)}%`;
}

/** A time zone at the end of an ISO string: `Z`, `+05:30`, `-0800` or `+05`. */
const ZONE = /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/;

/** Server times are UTC ISO strings; run times come without an offset, as LangSmith answers them
 * (`2026-12-05T22:57:33.178802`), and `new Date()` would read those as local time. Microseconds
 * are cut to milliseconds: ECMAScript only defines three fractional digits. */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const text = value.trim().replace(" ", "T").replace(/(\.\d{3})\d+/, "$1");
  const hasTime = text.includes("T");
  const withZone = !hasTime || ZONE.test(text.slice(text.indexOf("T"))) ? text : `${text}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Milliseconds since the epoch of a server time, or NaN. */
export function parseTimeMs(value: string | null | undefined): number {
  return parseTime(value)?.getTime() ?? Number.NaN;
}

export function formatTime(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return DASH;
  return TIME.format(date);
}

export function formatRelative(value: string | null | undefined, now: number = Date.now()): string {
  const date = parseTime(value);
  if (!date) return DASH;
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 86400 * 30) return `${Math.round(seconds / 86400)} d ago`;
  return formatTime(value);
}

/** Seconds between two server timestamps (null if either is missing). */
export function secondsBetween(start: string | null | undefined, end: string | null | undefined): number | null {
  const a = parseTime(start);
  const b = parseTime(end);
  return a && b ? (b.getTime() - a.getTime()) / 1000 : null;
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A one-line preview of any JSON value (for table cells). */
export function preview(value: unknown, max = 120): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return truncate(value.replace(/\s+/g, " "), max);
  if (typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) return preview(entries[0][1], max);
  }
  return truncate(JSON.stringify(value), max);
}

/** Token counts: a run that called no model records 0 tokens, which means "none recorded", not
 * a measured zero, so it reads as the dash like any missing value. */
export function formatTokens(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value) || value === 0) return DASH;
  return formatNumber(Math.round(value));
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** A wait as people say it: "45 seconds", "14 minutes", "2 hours" (rounded up: the wait is
 * over no earlier than said). */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 90) return plural(s, "second");
  const minutes = Math.ceil(s / 60);
  if (minutes < 90) return plural(minutes, "minute");
  return plural(Math.ceil(minutes / 60), "hour");
}

/** The servers' throttling messages count in seconds ("try again in 810 seconds", what the API
 * documents); the UI says it in the words a person would use ("try again in 14 minutes"). */
export function humanizeRetry(message: string): string {
  return message.replace(/\bin (\d+) seconds?\b/g, (_, n: string) => `in ${formatWait(Number(n))}`);
}

/** "gpt-4o-mini", "a, b and c", "a, b, c and 2 more models": the models whose LLM runs recorded
 * tokens but no cost (the API's `unpriced_models`; "" is a run naming no model). */
export function modelList(models: string[], shown = 3): string {
  const names = models.map((m) => m || "unnamed model");
  if (names.length <= shown) {
    return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : (names[0] ?? "");
  }
  const rest = names.length - shown;
  return `${names.slice(0, shown).join(", ")} and ${rest} more model${rest === 1 ? "" : "s"}`;
}

/** What a cost figure should say. Runs that recorded tokens but no cost have an unknown cost,
 * not a zero one: with nothing priced the figure is "No prices" for those models instead of "$0";
 * with some priced it is the known sum, noting what it leaves out. */
export function describeCost(
  cost: number | string | null | undefined,
  unpriced: string[] | null | undefined,
): { value: string; note: string | null; priced: boolean } {
  const n = cost === null || cost === undefined || cost === "" ? 0 : Number(cost);
  const priced = !Number.isNaN(n) && n !== 0;
  const models = unpriced ?? [];
  if (!priced && models.length) return { value: "No prices", note: `No prices for ${modelList(models)}`, priced };
  if (!priced) return { value: DASH, note: null, priced };
  return { value: formatCost(n), note: models.length ? `excludes ${modelList(models)} (no prices)` : null, priced };
}

/** A server time in full, in the viewer's zone and named (`06 Dec 2026, 15:42:10.123 CET`): the
 * hover of relative times and absolute time columns. */
export function formatTimeFull(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return DASH;
  return TIME_FULL.format(date);
}
