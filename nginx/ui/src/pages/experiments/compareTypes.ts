// Wire shapes of the comparison view (POST /api/v1/datasets/{id}/compare, app/backend/experiments/schemas.py)
// and the few dataset fields this page reads.

export interface FeedbackCell {
  n: number;
  avg: number | null;
  value?: unknown;
  comment?: string | null;
}

/** One experiment's run on one example (several with repetitions). */
export interface RunCell {
  id: string;
  trace_id: string;
  status: string;
  error: string | null;
  outputs: Record<string, unknown> | null;
  latency: number | null;
  total_tokens: number;
  total_cost: number | null;
  start_time: string;
  feedback: Record<string, FeedbackCell>;
}

export interface ExampleRow {
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  metadata: Record<string, unknown>;
  /** experiment id -> its runs on this example, oldest first */
  runs: Record<string, RunCell[]>;
}

export interface FeedbackAggregate {
  n: number;
  avg: number | null;
  stdev: number | null;
}

export interface ExperimentSummary {
  id: string;
  name: string;
  start_time: string;
  metadata: Record<string, unknown>;
  run_count: number;
  example_count: number;
  error_rate: number | null;
  latency_p50: number | null;
  latency_p99: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  total_cost: number | null;
  feedback: Record<string, FeedbackAggregate>;
  session_feedback: Record<string, FeedbackAggregate>;
}

export interface Comparison {
  dataset_id: string;
  experiments: ExperimentSummary[];
  examples: ExampleRow[];
  total: number;
  next_offset: number | null;
}

export interface DatasetInfo {
  id: string;
  name: string;
  description?: string | null;
  example_count?: number;
  session_count?: number;
}
