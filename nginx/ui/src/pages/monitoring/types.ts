// Wire shape of GET /sessions/{project_id}/timeseries (app/backend/monitoring/schemas.py).

export interface SeriesPoint {
  start_time: string;
  run_count: number;
  error_count: number;
  error_rate: number | null;
  latency_p50: number | null;
  latency_p99: number | null;
  first_token_p50: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  total_cost: number | null;
  llm_calls: number;
}

export interface TimeSeries {
  start_time: string;
  end_time: string;
  interval: string;
  interval_seconds: number;
  is_root: boolean | null;
  run_type: string | null;
  totals: SeriesPoint;
  buckets: SeriesPoint[];
  /** models of the window's LLM runs with tokens but no cost ("" when a run names none) */
  unpriced_models?: string[];
  /** spend per model over the window (priced LLM runs), most spent first */
  cost_by_model?: ModelCost[];
}

export interface ModelCost {
  model_name: string;
  model_provider: string;
  llm_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  prompt_cost: number;
  completion_cost: number;
  total_cost: number;
}
