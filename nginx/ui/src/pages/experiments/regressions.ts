// The comparison logic behind the experiments view, free of React: which direction is "better"
// for each metric, how repetitions collapse into one cell, and which cells regress or improve
// against the baseline experiment on the same example.

import type { ExampleRow, ExperimentSummary, RunCell } from "./compareTypes";

/** Metrics the view compares. Scores: higher is better; cost-like metrics: lower is better. */
export type Metric =
  | "score"
  | "session_score"
  | "error_rate"
  | "latency_p50"
  | "latency_p99"
  | "latency"
  | "total_tokens"
  | "tokens"
  | "total_cost"
  | "cost"
  | "run_count"
  | "example_count";

export type Better = "higher" | "lower" | null;

const DIRECTION: Record<Metric, Better> = {
  score: "higher",
  session_score: "higher",
  error_rate: "lower",
  latency_p50: "lower",
  latency_p99: "lower",
  latency: "lower",
  total_tokens: "lower",
  tokens: "lower",
  total_cost: "lower",
  cost: "lower",
  // How many runs an experiment has is not better or worse, just different.
  run_count: null,
  example_count: null,
};

export function betterDirection(metric: Metric): Better {
  return DIRECTION[metric];
}

export type Tone = "better" | "worse" | "same" | "neutral";

export interface Delta {
  /** value - baseline (null when either side is missing) */
  delta: number | null;
  /** (value - baseline) / |baseline| (null when the baseline is 0 or missing) */
  relative: number | null;
  tone: Tone;
}

/** Differences below this are noise (float averages of the same scores). */
export const EPSILON = 1e-9;

/** How `value` compares with `baseline` on `metric`. */
export function compareMetric(
  metric: Metric,
  baseline: number | null | undefined,
  value: number | null | undefined,
): Delta {
  if (baseline === null || baseline === undefined || value === null || value === undefined) {
    return { delta: null, relative: null, tone: "neutral" };
  }
  if (Number.isNaN(baseline) || Number.isNaN(value)) return { delta: null, relative: null, tone: "neutral" };
  const delta = value - baseline;
  const relative = baseline !== 0 ? delta / Math.abs(baseline) : null;
  const direction = betterDirection(metric);
  let tone: Tone;
  if (Math.abs(delta) <= EPSILON) tone = "same";
  else if (direction === null) tone = "neutral";
  else tone = (delta > 0) === (direction === "higher") ? "better" : "worse";
  return { delta, relative, tone };
}

// --- one cell: an experiment's runs on one example -------------------------------------------

export interface ScoreSummary {
  /** mean over the runs that have the key of each run's mean score */
  avg: number | null;
  /** how many runs have a score for the key */
  runs: number;
  /** every run's score for the key, in run order (null: that run has no numeric score) */
  perRun: (number | null)[];
}

export interface CellSummary {
  runs: number;
  errors: number;
  /** mean over runs with a latency */
  latency: number | null;
  /** mean trace tokens per run */
  tokens: number | null;
  /** mean trace cost per run (null when no run has a cost) */
  cost: number | null;
  scores: Record<string, ScoreSummary>;
}

function mean(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
  if (present.length === 0) return null;
  return present.reduce((a, b) => a + b, 0) / present.length;
}

/** Collapse an experiment's runs on one example (repetitions) into one summary. */
export function summarizeRuns(runs: RunCell[] | undefined): CellSummary {
  const list = runs ?? [];
  const keys = new Set<string>();
  for (const run of list) for (const key of Object.keys(run.feedback ?? {})) keys.add(key);
  const scores: Record<string, ScoreSummary> = {};
  for (const key of [...keys].sort()) {
    const perRun = list.map((run) => {
      const avg = run.feedback?.[key]?.avg;
      return typeof avg === "number" && !Number.isNaN(avg) ? avg : null;
    });
    scores[key] = { avg: mean(perRun), runs: perRun.filter((s) => s !== null).length, perRun };
  }
  return {
    runs: list.length,
    errors: list.filter((run) => run.status === "error" || !!run.error).length,
    latency: mean(list.map((run) => run.latency)),
    tokens: list.length ? mean(list.map((run) => run.total_tokens)) : null,
    cost: mean(list.map((run) => run.total_cost)),
    scores,
  };
}

// --- one example across experiments ------------------------------------------------------------

export type Change = "regression" | "improvement" | "same" | "baseline" | "missing";

export interface CellComparison {
  summary: CellSummary;
  /** this cell's averaged score for the highlighted key */
  score: number | null;
  /** the baseline's averaged score for the same example and key */
  baselineScore: number | null;
  delta: number | null;
  change: Change;
}

/**
 * Compare every experiment's cell on one example with the baseline's on `key`. A lower score
 * than the baseline's is a regression, a higher one an improvement; if either side has no
 * score there is nothing to compare ("missing").
 */
export function compareExample(
  row: ExampleRow,
  experimentIds: string[],
  baselineId: string,
  key: string | null,
): Record<string, CellComparison> {
  const baseSummary = summarizeRuns(row.runs[baselineId]);
  const baselineScore = key ? (baseSummary.scores[key]?.avg ?? null) : null;
  const out: Record<string, CellComparison> = {};
  for (const id of experimentIds) {
    const summary = id === baselineId ? baseSummary : summarizeRuns(row.runs[id]);
    const score = key ? (summary.scores[key]?.avg ?? null) : null;
    if (id === baselineId) {
      out[id] = { summary, score, baselineScore, delta: null, change: "baseline" };
      continue;
    }
    const { delta, tone } = compareMetric("score", baselineScore, score);
    const change: Change =
      delta === null ? "missing" : tone === "worse" ? "regression" : tone === "better" ? "improvement" : "same";
    out[id] = { summary, score, baselineScore, delta, change };
  }
  return out;
}

export interface ExampleComparison {
  row: ExampleRow;
  cells: Record<string, CellComparison>;
  regressions: number;
  improvements: number;
}

export function compareExamples(
  rows: ExampleRow[],
  experimentIds: string[],
  baselineId: string,
  key: string | null,
): ExampleComparison[] {
  return rows.map((row) => {
    const cells = compareExample(row, experimentIds, baselineId, key);
    const changes = Object.values(cells).map((c) => c.change);
    return {
      row,
      cells,
      regressions: changes.filter((c) => c === "regression").length,
      improvements: changes.filter((c) => c === "improvement").length,
    };
  });
}

export type ChangeFilter = "all" | "regressions" | "improvements";

export function filterExamples(examples: ExampleComparison[], filter: ChangeFilter): ExampleComparison[] {
  if (filter === "regressions") return examples.filter((e) => e.regressions > 0);
  if (filter === "improvements") return examples.filter((e) => e.improvements > 0);
  return examples;
}

export function parseChangeFilter(value: string | null): ChangeFilter {
  return value === "regressions" || value === "improvements" ? value : "all";
}

// --- keys, ids, aggregates -----------------------------------------------------------------------

/** Every feedback key scored on the experiments' runs (aggregates) or on this page's runs, sorted. */
export function feedbackKeys(experiments: ExperimentSummary[], rows: ExampleRow[] = []): string[] {
  const keys = new Set<string>();
  for (const e of experiments) for (const key of Object.keys(e.feedback ?? {})) keys.add(key);
  for (const row of rows)
    for (const runs of Object.values(row.runs))
      for (const run of runs) for (const key of Object.keys(run.feedback ?? {})) keys.add(key);
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/**
 * The key that drives highlighting: the requested one if it exists; else the key whose mean
 * moved most between the baseline and another experiment (where the story is); else the first.
 */
export function chooseKey(
  keys: string[],
  requested: string | null,
  experiments: ExperimentSummary[] = [],
  baselineId: string | null = null,
): string | null {
  if (requested && keys.includes(requested)) return requested;
  const baseline = experiments.find((e) => e.id === baselineId);
  let best: string | null = null;
  let bestMove = EPSILON;
  if (baseline) {
    for (const key of keys) {
      const base = baseline.feedback?.[key]?.avg;
      if (base === null || base === undefined) continue;
      for (const e of experiments) {
        const avg = e.id === baseline.id ? null : e.feedback?.[key]?.avg;
        if (avg === null || avg === undefined) continue;
        if (Math.abs(avg - base) > bestMove) {
          bestMove = Math.abs(avg - base);
          best = key;
        }
      }
    }
  }
  return best ?? keys[0] ?? null;
}

/** The baseline: the requested experiment if it is selected, else the first selected. */
export function chooseBaseline(selected: string[], requested: string | null): string | null {
  if (requested && selected.includes(requested)) return requested;
  return selected[0] ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `?selectedSessions=a,b` (also repeated params) -> unique ids in order, lower-cased. */
export function parseSelected(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values)
    for (const part of value.split(",")) {
      const id = part.trim().toLowerCase();
      if (id && !out.includes(id)) out.push(id);
    }
  return out;
}

/** The experiment id the API names in "experiment <id> is not an experiment on this dataset". */
export function foreignExperimentId(detail: string | undefined): string | null {
  const match = /experiment ([0-9a-f-]{36}) is not an experiment on this dataset/i.exec(detail ?? "");
  return match ? match[1].toLowerCase() : null;
}

export interface AggregateValue {
  value: number | null;
  delta: Delta | null;
}

export interface AggregateRow {
  id: string;
  label: string;
  metric: Metric;
  group: "run" | "score" | "summary";
  values: Record<string, AggregateValue>;
}

/** The aggregates table: one row per metric, one value per experiment with its delta vs the baseline. */
export function aggregateRows(experiments: ExperimentSummary[], baselineId: string | null): AggregateRow[] {
  const baseline = experiments.find((e) => e.id === baselineId) ?? null;
  const rows: AggregateRow[] = [];
  const add = (
    id: string,
    label: string,
    metric: Metric,
    group: AggregateRow["group"],
    pick: (e: ExperimentSummary) => number | null | undefined,
  ) => {
    const values: Record<string, AggregateValue> = {};
    for (const e of experiments) {
      const value = pick(e) ?? null;
      const delta = baseline && e.id !== baseline.id ? compareMetric(metric, pick(baseline), value) : null;
      values[e.id] = { value, delta };
    }
    rows.push({ id, label, metric, group, values });
  };
  add("example_count", "Examples", "example_count", "run", (e) => e.example_count);
  add("run_count", "Runs", "run_count", "run", (e) => e.run_count);
  add("error_rate", "Error rate", "error_rate", "run", (e) => e.error_rate);
  add("latency_p50", "Latency p50", "latency_p50", "run", (e) => e.latency_p50);
  add("latency_p99", "Latency p99", "latency_p99", "run", (e) => e.latency_p99);
  add("total_tokens", "Total tokens", "total_tokens", "run", (e) => e.total_tokens);
  add("total_cost", "Total cost", "total_cost", "run", (e) => e.total_cost);
  for (const key of feedbackKeys(experiments))
    add(`score:${key}`, key, "score", "score", (e) => e.feedback?.[key]?.avg);
  const summaryKeys = new Set<string>();
  for (const e of experiments) for (const key of Object.keys(e.session_feedback ?? {})) summaryKeys.add(key);
  for (const key of [...summaryKeys].sort((a, b) => a.localeCompare(b)))
    add(`summary:${key}`, key, "session_score", "summary", (e) => e.session_feedback?.[key]?.avg);
  return rows;
}
