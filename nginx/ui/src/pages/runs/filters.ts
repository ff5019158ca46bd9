// The runs table's filter state and how it maps to the API's filter language and to the URL.
//
// The state is: quick filters (run type, status, tags, feedback, time range), the raw filter text
// a person typed, and the root-only toggle. The API gets one filter string: the quick filters'
// clauses and the raw text combined with and(...). Everything lives in the URL search params so a
// view is shareable and the back button works. Pure functions only: no React, no fetch.

export const RUN_TYPES = ["llm", "chain", "tool", "retriever", "embedding", "prompt", "parser"] as const;
export const STATUSES = ["success", "error", "pending"] as const;
export type RunStatus = (typeof STATUSES)[number];

export const TIME_RANGES = {
  "1h": { label: "Last hour", seconds: 3600 },
  "24h": { label: "Last 24 hours", seconds: 86400 },
  "7d": { label: "Last 7 days", seconds: 7 * 86400 },
  "30d": { label: "Last 30 days", seconds: 30 * 86400 },
} as const;
export type TimeRange = keyof typeof TIME_RANGES;

export interface FeedbackFilter {
  key: string;
  min?: number; // runs with feedback `key` scored at least this; absent: any score
}

export interface QuickFilters {
  runType?: string;
  status?: RunStatus;
  tags: string[];
  feedback?: FeedbackFilter;
  range?: TimeRange;
}

export interface FilterState {
  quick: QuickFilters;
  raw: string;
  rootOnly: boolean;
}

export const EMPTY_QUICK: QuickFilters = { tags: [] };
export const DEFAULT_STATE: FilterState = { quick: EMPTY_QUICK, raw: "", rootOnly: true };

// ---------------------------------------------------------------------------------------------
// Values and clauses

/** A string literal of the filter language (JSON escapes, double quotes). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

function numberLiteral(value: number): string {
  return Number.isFinite(value) ? String(value) : "0";
}

/** The clauses the quick filters stand for, in a stable order. `now` is in milliseconds. */
export function quickClauses(quick: QuickFilters, now: number): string[] {
  const clauses: string[] = [];
  if (quick.runType) clauses.push(`eq(run_type, ${quote(quick.runType)})`);
  if (quick.status) clauses.push(`eq(status, ${quote(quick.status)})`);
  for (const tag of quick.tags) clauses.push(`has(tags, ${quote(tag)})`);
  if (quick.feedback?.key) {
    const key = `eq(feedback_key, ${quote(quick.feedback.key)})`;
    clauses.push(
      quick.feedback.min === undefined ? key : `and(${key}, gte(feedback_score, ${numberLiteral(quick.feedback.min)}))`,
    );
  }
  if (quick.range) {
    const since = new Date(now - TIME_RANGES[quick.range].seconds * 1000).toISOString();
    clauses.push(`gte(start_time, ${quote(since)})`);
  }
  return clauses;
}

/** The one filter string to send (undefined: no filter). */
export function buildFilter(quick: QuickFilters, raw: string, now: number): string | undefined {
  return composeFilter(quick, raw, now).filter;
}

/** The filter string, and where the raw text starts in it (to point the server's errors at it). */
export function composeFilter(quick: QuickFilters, raw: string, now: number): { filter?: string; rawOffset: number } {
  const clauses = quickClauses(quick, now);
  const text = raw.trim();
  if (text && clauses.length === 0) return { filter: text, rawOffset: 0 };
  if (!text) {
    if (clauses.length === 0) return { rawOffset: 0 };
    return { filter: clauses.length === 1 ? clauses[0] : `and(${clauses.join(", ")})`, rawOffset: 0 };
  }
  const head = `and(${clauses.join(", ")}, `;
  return { filter: `${head}${text})`, rawOffset: head.length };
}

/**
 * The server reports "(at character N)" in the composed filter; say where that is in the text the
 * person typed (the quick filters' clauses come first), or drop the position if it is not there.
 */
export function localizeFilterError(message: string, rawOffset: number, rawLength: number): string {
  return message.replace(/ ?\(at character (\d+)\)/, (_match, n: string) => {
    const position = Number(n) - rawOffset;
    return position >= 1 && position <= rawLength + 1 ? ` (at character ${position})` : "";
  });
}

export function isEmptyQuick(quick: QuickFilters): boolean {
  return !quick.runType && !quick.status && quick.tags.length === 0 && !quick.feedback && !quick.range;
}

export function hasFilters(state: FilterState): boolean {
  return !isEmptyQuick(state.quick) || state.raw.trim() !== "";
}

// ---------------------------------------------------------------------------------------------
// A small parser for the filter language (the grammar of app/backend/query/parser.py), used to
// lift clauses a person typed into quick-filter chips. The server stays the judge of validity.

export type Node = Call | FieldRef | Lit;
export interface Call {
  kind: "call";
  name: string;
  args: Node[];
}
export interface FieldRef {
  kind: "field";
  name: string;
}
export interface Lit {
  kind: "lit";
  value: string | number | boolean | null | (string | number | boolean | null)[];
}

export class FilterSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} (at character ${position + 1})`);
    this.position = position;
  }
}

type Token = { type: "name" | "number" | "string" | "punct"; value: string | number; pos: number };

const TOKEN =
  /\s*(?:([A-Za-z_][A-Za-z0-9_.]*)|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|([(),[\]]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (text.slice(pos).trim() === "") break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m || m.index !== pos || TOKEN.lastIndex === pos) {
      const start = pos + (text.slice(pos).length - text.slice(pos).trimStart().length);
      throw new FilterSyntaxError(`unexpected character ${JSON.stringify(text[start])}`, start);
    }
    const start = TOKEN.lastIndex - m[0].trimStart().length;
    if (m[1] !== undefined) tokens.push({ type: "name", value: m[1], pos: start });
    else if (m[2] !== undefined) tokens.push({ type: "number", value: Number(m[2]), pos: start });
    else if (m[3] !== undefined) tokens.push({ type: "string", value: decodeString(m[3], start), pos: start });
    else if (m[4] !== undefined) {
      const inner = m[4].slice(1, -1).replace(/"/g, '\\"').replace(/\\'/g, "'");
      tokens.push({ type: "string", value: decodeString(`"${inner}"`, start), pos: start });
    } else tokens.push({ type: "punct", value: m[5], pos: start });
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

function decodeString(literal: string, pos: number): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw new FilterSyntaxError("invalid string escape", pos);
  }
}

/** Parse filter text into a tree; throws FilterSyntaxError. */
export function parse(text: string): Call {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const at = (p: string) => peek()?.type === "punct" && peek()?.value === p;
  const take = (p?: string): Token => {
    const t = peek();
    if (!t) throw new FilterSyntaxError(`unexpected end of filter${p ? `, expected '${p}'` : ""}`, text.length);
    if (p !== undefined && !(t.type === "punct" && t.value === p))
      throw new FilterSyntaxError(`expected '${p}', found ${JSON.stringify(t.value)}`, t.pos);
    i += 1;
    return t;
  };
  const literal = (): Lit => {
    const node = arg();
    if (node.kind !== "lit" || Array.isArray(node.value))
      throw new FilterSyntaxError("lists may only contain literal values", peek()?.pos ?? text.length);
    return node;
  };
  const arg = (): Node => {
    const t = peek();
    if (!t) throw new FilterSyntaxError("unexpected end of filter, expected an argument", text.length);
    if (t.type === "name") {
      const next = tokens[i + 1];
      if (next?.type === "punct" && next.value === "(") return expr();
      i += 1;
      if (t.value === "true" || t.value === "false") return { kind: "lit", value: t.value === "true" };
      if (t.value === "null") return { kind: "lit", value: null };
      return { kind: "field", name: String(t.value) };
    }
    if (t.type === "number" || t.type === "string") {
      i += 1;
      return { kind: "lit", value: t.value };
    }
    if (t.type === "punct" && t.value === "[") {
      take("[");
      const items: (string | number | boolean | null)[] = [];
      if (!at("]")) {
        items.push(literal().value as string);
        while (at(",")) {
          take(",");
          items.push(literal().value as string);
        }
      }
      take("]");
      return { kind: "lit", value: items };
    }
    throw new FilterSyntaxError(`unexpected ${JSON.stringify(t.value)}`, t.pos);
  };
  const expr = (): Call => {
    const t = take();
    if (t.type !== "name")
      throw new FilterSyntaxError(`expected an operator such as eq(...) or and(...), found ${JSON.stringify(t.value)}`, t.pos);
    take("(");
    const args: Node[] = [];
    if (!at(")")) {
      args.push(arg());
      while (at(",")) {
        take(",");
        args.push(arg());
      }
    }
    take(")");
    return { kind: "call", name: String(t.value).toLowerCase(), args };
  };
  if (tokens.length === 0) throw new FilterSyntaxError("empty filter", 0);
  const tree = expr();
  const leftover = peek();
  if (leftover) throw new FilterSyntaxError(`unexpected ${JSON.stringify(leftover.value)} after the end of the filter`, leftover.pos);
  return tree;
}

function printLiteral(value: Lit["value"]): string {
  if (Array.isArray(value)) return `[${value.map(printLiteral).join(", ")}]`;
  if (typeof value === "string") return quote(value);
  return String(value);
}

/** Print a tree back as filter text (canonical spacing and quoting). */
export function print(node: Node): string {
  if (node.kind === "call") return `${node.name}(${node.args.map(print).join(", ")})`;
  if (node.kind === "field") return node.name;
  return printLiteral(node.value);
}

// eq(<field>, "<string>") -> the string, else undefined
function stringCompare(node: Node, op: string, field: string): string | undefined {
  if (node.kind !== "call" || node.name !== op || node.args.length !== 2) return undefined;
  const [f, v] = node.args;
  if (f.kind !== "field" || f.name !== field || v.kind !== "lit" || typeof v.value !== "string") return undefined;
  return v.value;
}

function feedbackOf(node: Node): FeedbackFilter | undefined {
  const key = stringCompare(node, "eq", "feedback_key");
  if (key !== undefined) return { key };
  if (node.kind !== "call" || node.name !== "and" || node.args.length !== 2) return undefined;
  const k = stringCompare(node.args[0], "eq", "feedback_key");
  const score = node.args[1];
  if (k === undefined || score.kind !== "call" || score.name !== "gte" || score.args.length !== 2) return undefined;
  const [f, v] = score.args;
  if (f.kind !== "field" || f.name !== "feedback_score" || v.kind !== "lit" || typeof v.value !== "number") return undefined;
  return { key: k, min: v.value };
}

/**
 * Move the clauses of `raw` that a quick filter can show into `quick` (a top-level clause, or an
 * argument of a top-level and(...)); the rest stays raw. Text that does not parse, or that has
 * nothing to lift, comes back unchanged so the server can judge it.
 */
export function liftQuickFilters(raw: string, quick: QuickFilters): { quick: QuickFilters; raw: string } {
  const text = raw.trim();
  if (!text) return { quick, raw: "" };
  let tree: Call;
  try {
    tree = parse(text);
  } catch {
    return { quick, raw: text };
  }
  const parts = tree.name === "and" && tree.args.length > 0 ? tree.args : [tree];
  const next: QuickFilters = { ...quick, tags: [...quick.tags] };
  const rest: Node[] = [];
  for (const part of parts) {
    const runType = stringCompare(part, "eq", "run_type");
    const status = stringCompare(part, "eq", "status");
    const tag = stringCompare(part, "has", "tags");
    const feedback = feedbackOf(part);
    if (runType !== undefined && !next.runType) next.runType = runType;
    else if (status !== undefined && !next.status && (STATUSES as readonly string[]).includes(status))
      next.status = status as RunStatus;
    else if (tag !== undefined) {
      if (!next.tags.includes(tag)) next.tags.push(tag);
    } else if (feedback && !next.feedback) next.feedback = feedback;
    else rest.push(part);
  }
  if (rest.length === parts.length) return { quick, raw: text };
  const remaining =
    rest.length === 0 ? "" : rest.length === 1 ? print(rest[0]) : print({ kind: "call", name: "and", args: rest });
  return { quick: next, raw: remaining };
}

// ---------------------------------------------------------------------------------------------
// Chips: one per active quick filter, each removable on its own.

export type ChipId = "runType" | "status" | "feedback" | "range" | `tag:${string}`;

export interface Chip {
  id: ChipId;
  label: string;
}

export function chipsOf(quick: QuickFilters): Chip[] {
  const chips: Chip[] = [];
  if (quick.runType) chips.push({ id: "runType", label: `type: ${quick.runType}` });
  if (quick.status) chips.push({ id: "status", label: `status: ${quick.status}` });
  for (const tag of quick.tags) chips.push({ id: `tag:${tag}`, label: `tag: ${tag}` });
  if (quick.feedback)
    chips.push({
      id: "feedback",
      label:
        quick.feedback.min === undefined
          ? `feedback: ${quick.feedback.key}`
          : `feedback: ${quick.feedback.key} ≥ ${quick.feedback.min}`,
    });
  if (quick.range) chips.push({ id: "range", label: TIME_RANGES[quick.range].label.toLowerCase() });
  return chips;
}

export function removeChip(quick: QuickFilters, id: ChipId): QuickFilters {
  const next: QuickFilters = { ...quick, tags: [...quick.tags] };
  if (id.startsWith("tag:")) next.tags = next.tags.filter((t) => t !== id.slice(4));
  else delete next[id as "runType" | "status" | "feedback" | "range"];
  return next;
}

// ---------------------------------------------------------------------------------------------
// The URL: ?filter=&type=&status=&tag=&tag=&fb=&fbmin=&range=&root=0

const FILTER_PARAMS = ["filter", "type", "status", "tag", "fb", "fbmin", "range", "root"];

export function fromSearchParams(params: URLSearchParams): FilterState {
  const quick: QuickFilters = { tags: params.getAll("tag").filter(Boolean) };
  const type = params.get("type");
  if (type) quick.runType = type;
  const status = params.get("status");
  if (status && (STATUSES as readonly string[]).includes(status)) quick.status = status as RunStatus;
  const fb = params.get("fb");
  if (fb) {
    const min = params.get("fbmin");
    quick.feedback = min !== null && min !== "" && !Number.isNaN(Number(min)) ? { key: fb, min: Number(min) } : { key: fb };
  }
  const range = params.get("range");
  if (range && range in TIME_RANGES) quick.range = range as TimeRange;
  return { quick, raw: params.get("filter") ?? "", rootOnly: params.get("root") !== "0" };
}

/** `base` with the filter params replaced by `state` (other params, e.g. page size, are kept). */
export function toSearchParams(state: FilterState, base?: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(base);
  for (const key of FILTER_PARAMS) params.delete(key);
  const { quick } = state;
  if (state.raw.trim()) params.set("filter", state.raw.trim());
  if (quick.runType) params.set("type", quick.runType);
  if (quick.status) params.set("status", quick.status);
  for (const tag of quick.tags) params.append("tag", tag);
  if (quick.feedback) {
    params.set("fb", quick.feedback.key);
    if (quick.feedback.min !== undefined) params.set("fbmin", String(quick.feedback.min));
  }
  if (quick.range) params.set("range", quick.range);
  if (!state.rootOnly) params.set("root", "0");
  return params;
}

// ---------------------------------------------------------------------------------------------
// Filters that look below the root. "Root runs only" is on by default, and a filter on what only
// runs inside a trace usually are (an LLM call, a tool) would then find nothing, silently.

function mentionsField(node: Node, field: string): boolean {
  if (node.kind === "field") return node.name === field;
  return node.kind === "call" && node.args.some((arg) => mentionsField(arg, field));
}

/** Why this filter is about runs inside traces (a phrase for a notice), or undefined. */
export function innerRunsReason(state: FilterState): string | undefined {
  if (state.quick.runType && state.quick.runType !== "chain") return `the run type filter (${state.quick.runType})`;
  const text = state.raw.trim();
  if (!text) return undefined;
  try {
    if (mentionsField(parse(text), "run_type")) return "the filter on run_type";
  } catch {
    // not parseable: the server will say so; nothing to decide here
  }
  return undefined;
}

/**
 * Whether a filter change should turn "Root runs only" off by itself: the new filter looks below
 * the root and the old one did not (so turning root-only back on afterwards sticks).
 */
export function shouldShowInnerRuns(previous: FilterState, next: FilterState): boolean {
  return next.rootOnly && innerRunsReason(next) !== undefined && innerRunsReason(previous) === undefined;
}

/** The toggles that hide runs from this view (named as their controls are labelled). */
export function hidingToggles(state: FilterState): string[] {
  return state.rootOnly ? ["Root runs only"] : [];
}
