// Pure logic of the datasets pages (no React): JSON field validation, splits, CSV headers,
// the example editor's draft and its change set, and version diff rows. Tested in logic.test.ts.

import { diffJson } from "diff";
import type { DataType, Example } from "./api";

export const DEFAULT_SPLIT = "base";
export const SPLIT_KEY = "dataset_split";

// --- JSON fields --------------------------------------------------------------------------------

export type JsonField<T> = { ok: true; value: T } | { ok: false; error: string };

/** Where a JSON.parse error points, as "Line L, column C: what", from the engine's message. */
export function jsonErrorMessage(message: string, text: string): string {
  const located = locateJsonError(text);
  if (located) return `${lineColumn(text, located.offset)}: ${located.message}`;
  const lineCol = /line (\d+) column (\d+)/i.exec(message);
  if (lineCol) return `Line ${lineCol[1]}, column ${lineCol[2]}: ${cleanJsonMessage(message)}`;
  const position = /position (\d+)/i.exec(message);
  if (position) return `${lineColumn(text, Number(position[1]))}: ${cleanJsonMessage(message)}`;
  return cleanJsonMessage(message);
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.min(offset, text.length)).split("\n");
  return `Line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

function cleanJsonMessage(message: string): string {
  return message
    .replace(/^JSON\.parse: /, "")
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/\s*(in JSON )?at position \d+.*$/i, "")
    .replace(/\s*at line \d+ column \d+.*$/i, "")
    .replace(/\s*\(line \d+ column \d+\)$/i, "");
}

/**
 * The first syntax error in JSON text (offset and a short message), or null if it parses. Engines
 * disagree on whether their messages carry a position, so the editor finds it itself.
 */
export function locateJsonError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw { offset: at, message };
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const describe = () => (i >= text.length ? "unexpected end of text" : `unexpected ${JSON.stringify(text[i])}`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(describe());
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") {
        const esc = text[i + 1];
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("bad \\u escape");
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else fail("bad escape in string");
      } else if (text.charCodeAt(i) < 0x20) fail("line break or control character inside a string");
      else i++;
    }
    if (i >= text.length) fail("unterminated string", start);
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail(describe());
    i += match![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(text[i] === "}" ? "trailing comma before }" : `expected a "quoted" key, ${describe()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ":" after the key, ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`expected "," or "}", ${describe()}`);
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") fail("trailing comma before ]");
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`expected "," or "]", ${describe()}`);
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch >= "0" && ch <= "9")) return number();
    fail(ch === "'" ? "strings need double quotes" : `expected a value, ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected text after the JSON value`);
    return null;
  } catch (err) {
    if (err && typeof err === "object" && "offset" in err) return err as { offset: number; message: string };
    throw err;
  }
}

/**
 * Parse an editor field that must hold a JSON object. Blank text is `null` when `optional`
 * (outputs, metadata), an error otherwise (inputs).
 */
export function parseJsonObject(
  text: string,
  { optional = false }: { optional?: boolean } = {},
): JsonField<Record<string, unknown> | null> {
  if (!text.trim()) return optional ? { ok: true, value: null } : { ok: false, error: "Required: a JSON object such as {}" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: jsonErrorMessage(err instanceof Error ? err.message : String(err), text) };
  }
  if (value === null && optional) return { ok: true, value: null };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, error: `Must be a JSON object ({…}), not ${kind}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return "";
  return JSON.stringify(value, null, 2);
}

// --- splits -------------------------------------------------------------------------------------

/** "train, test ,, train" -> ["train", "test"]: trimmed, blanks dropped, first occurrence kept. */
export function parseSplits(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(",")) {
    const name = part.trim();
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

/** An example's splits as the API files it: metadata.dataset_split (a list, or a lone string), else base. */
export function splitsOf(metadata: Record<string, unknown> | null | undefined): string[] {
  const value = metadata?.[SPLIT_KEY];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [DEFAULT_SPLIT];
}

/** Metadata minus the split key (the editor edits splits separately). */
export function metadataWithoutSplits(metadata: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const rest = { ...(metadata ?? {}) };
  delete rest[SPLIT_KEY];
  return rest;
}

export function toggleSplit(splits: string[], name: string): string[] {
  return splits.includes(name) ? splits.filter((s) => s !== name) : [...splits, name];
}

// --- the example editor -------------------------------------------------------------------------

export interface Draft {
  inputs: string;
  outputs: string;
  metadata: string;
  splits: string;
}

export function draftOf(
  example: Example | null,
  dataset?: { data_type?: DataType; inputs_schema_definition?: Record<string, unknown> | null } | null,
): Draft {
  if (!example) {
    // A new example starts from the shape its dataset expects.
    const blank = { outputs: "", metadata: "", splits: DEFAULT_SPLIT };
    if (dataset?.inputs_schema_definition) return { ...blank, inputs: templateFor(dataset.inputs_schema_definition) };
    if (dataset?.data_type === "chat")
      return {
        ...blank,
        inputs: prettyJson({ input: [{ role: "user", content: "" }] }),
        outputs: prettyJson({ output: { role: "assistant", content: "" } }),
      };
    if (dataset?.data_type === "llm") return { ...blank, inputs: prettyJson({ input: "" }), outputs: prettyJson({ output: "" }) };
    return { ...blank, inputs: templateFor(null) };
  }
  const metadata = metadataWithoutSplits(example.metadata);
  return {
    inputs: prettyJson(example.inputs ?? {}),
    outputs: prettyJson(example.outputs),
    metadata: Object.keys(metadata).length ? prettyJson(metadata) : "",
    splits: splitsOf(example.metadata).join(", "),
  };
}

/** A new example's inputs: the schema's properties with empty values of their types, else {}. */
export function templateFor(schema: Record<string, unknown> | null | undefined): string {
  const properties = schema?.properties;
  if (!properties || typeof properties !== "object") return "{\n  \n}";
  const empty: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(properties as Record<string, { type?: unknown }>)) {
    const type = Array.isArray(spec?.type) ? spec.type[0] : spec?.type;
    empty[key] =
      type === "number" || type === "integer" ? 0 : type === "boolean" ? false : type === "array" ? [] : type === "object" ? {} : "";
  }
  return Object.keys(empty).length ? prettyJson(empty) : "{\n  \n}";
}

export interface DraftCheck {
  errors: { inputs?: string; outputs?: string; metadata?: string };
  valid: boolean;
  /** The PATCH body (only what changed) or the POST body's content (everything). */
  body: {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown> | null;
    metadata?: Record<string, unknown> | null;
    split?: string[];
  };
  dirty: boolean;
}

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted, so key order is not a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Validate a draft against the example it edits (null: a new example) and work out the request
 * body. An empty split list files the example in `base`, as the API does for new examples.
 */
export function checkDraft(draft: Draft, original: Example | null): DraftCheck {
  const inputs = parseJsonObject(draft.inputs);
  const outputs = parseJsonObject(draft.outputs, { optional: true });
  const metadata = parseJsonObject(draft.metadata, { optional: true });
  const errors: DraftCheck["errors"] = {};
  if (!inputs.ok) errors.inputs = inputs.error;
  if (!outputs.ok) errors.outputs = outputs.error;
  if (!metadata.ok) errors.metadata = metadata.error;
  const valid = inputs.ok && outputs.ok && metadata.ok;
  const splits = parseSplits(draft.splits);
  const split = splits.length ? splits : [DEFAULT_SPLIT];
  const body: DraftCheck["body"] = {};
  if (!valid) return { errors, valid, body, dirty: true };
  const meta = metadata.value && Object.keys(metadata.value).length ? metadataWithoutSplits(metadata.value) : null;
  if (!original) {
    return {
      errors,
      valid,
      body: { inputs: inputs.value ?? {}, outputs: outputs.value, metadata: meta, split },
      dirty: true,
    };
  }
  if (!same(inputs.value, original.inputs ?? {})) body.inputs = inputs.value ?? {};
  if (!same(outputs.value, original.outputs ?? null)) body.outputs = outputs.value;
  const originalMeta = metadataWithoutSplits(original.metadata);
  if (!same(meta ?? {}, originalMeta)) body.metadata = meta ?? {};
  if (!same(split, splitsOf(original.metadata))) body.split = split;
  return { errors, valid, body, dirty: Object.keys(body).length > 0 };
}

// --- CSV ----------------------------------------------------------------------------------------

/** The header row of a CSV (RFC 4180 quoting; a BOM is dropped), for choosing input/output columns. */
export function csvHeader(text: string): string[] {
  const source = text.replace(/^\uFEFF/, "");
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      break;
    } else field += ch;
  }
  fields.push(field);
  return fields.length === 1 && fields[0] === "" ? [] : fields;
}

/** A first guess at the columns: common answer-ish names are outputs, the rest inputs. */
export function guessColumns(header: string[]): { inputs: string[]; outputs: string[] } {
  const outputish = /^(output|outputs|answer|expected|expected_output|reference|label|target|completion|response)$/i;
  const outputs = header.filter((h) => outputish.test(h.trim()));
  const inputs = header.filter((h) => !outputs.includes(h));
  return { inputs, outputs };
}

// --- ids ----------------------------------------------------------------------------------------

/** A random UUID v4; crypto.randomUUID is missing on plain-http origins, getRandomValues is not. */
export function uuid4(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- version diffs ------------------------------------------------------------------------------

export type DiffRow =
  | { kind: "add" | "del" | "same"; text: string; oldLine: number | null; newLine: number | null }
  | { kind: "skip"; count: number };

/** What an example's diff compares: its content, without the bookkeeping fields. */
export function diffable(example: Example | null | undefined): Record<string, unknown> | null {
  if (!example) return null;
  return { inputs: example.inputs, outputs: example.outputs, metadata: example.metadata };
}

/**
 * Line rows of a JSON diff between two values (null: absent), numbered on each side, with runs of
 * unchanged lines longer than 2*context collapsed into one "skip" row.
 */
export function buildDiffRows(before: unknown, after: unknown, context = 3): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 1;
  let newLine = 1;
  const a = before === null || before === undefined ? "" : before;
  const b = after === null || after === undefined ? "" : after;
  const parts =
    a === "" || b === ""
      ? [
          ...(a === "" ? [] : [{ value: JSON.stringify(a, null, 2) + "\n", removed: true, added: false }]),
          ...(b === "" ? [] : [{ value: JSON.stringify(b, null, 2) + "\n", added: true, removed: false }]),
        ]
      : diffJson(a as object, b as object);
  for (const part of parts) {
    const lines = part.value.replace(/\n$/, "").split("\n");
    for (const text of lines) {
      if (part.added) rows.push({ kind: "add", text, oldLine: null, newLine: newLine++ });
      else if (part.removed) rows.push({ kind: "del", text, oldLine: oldLine++, newLine: null });
      else rows.push({ kind: "same", text, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return collapse(rows, context);
}

function collapse(rows: DiffRow[], context: number): DiffRow[] {
  const out: DiffRow[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i].kind !== "same") {
      out.push(rows[i++]);
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j].kind === "same") j++;
    const run = rows.slice(i, j);
    const head = i === 0 ? 0 : context;
    const tail = j === rows.length ? 0 : context;
    if (run.length > head + tail + 1) {
      out.push(...run.slice(0, head), { kind: "skip", count: run.length - head - tail }, ...run.slice(run.length - tail));
    } else out.push(...run);
    i = j;
  }
  return out;
}

/** Lines added and removed in a row list (for a "+3 −1" summary). */
export function diffStats(rows: DiffRow[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const r of rows) {
    if (r.kind === "add") added++;
    else if (r.kind === "del") removed++;
  }
  return { added, removed };
}

// --- experiments --------------------------------------------------------------------------------

/** Every feedback key across experiments, sorted, for one column per key. */
export function feedbackKeys(experiments: { feedback_stats?: Record<string, unknown> | null }[]): string[] {
  const keys = new Set<string>();
  for (const e of experiments) for (const k of Object.keys(e.feedback_stats ?? {})) keys.add(k);
  return [...keys].sort();
}

// --- display ------------------------------------------------------------------------------------

/** A one-line preview of inputs/outputs: one key shows its value; several show "key: value · …". */
export function ioPreview(value: Record<string, unknown> | null | undefined, max = 160): string {
  if (!value) return "";
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  if (entries.length === 1) return oneLine(entries[0][1], max);
  return oneLine(entries.map(([k, v]) => `${k}: ${oneLine(v, max)}`).join(" · "), max);
}

function oneLine(value: unknown, max: number): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A textarea height that fits its content, within bounds. */
export function rowsFor(text: string, min = 4, max = 18): number {
  const lines = text.split("\n").length + 1;
  return Math.max(min, Math.min(max, lines));
}

/** Version stamps are microseconds apart: show milliseconds so neighbours differ. */
export function formatVersion(asOf: string, formatTime: (v: string) => string): string {
  const ms = /\.(\d{3})/.exec(asOf)?.[1];
  const base = formatTime(asOf);
  return ms && /\d\d:\d\d:\d\d$/.test(base) ? `${base}.${ms}` : base;
}
