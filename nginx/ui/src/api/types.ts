// Wire shapes the UI reads, as the API sends them (see docs/querying.md and langsmith-wire.md).
// Only the fields the UI uses are listed; the API may send more.

export interface Project {
  id: string;
  name: string;
  description?: string | null;
  start_time?: string | null;
  last_run_start_time?: string | null;
  reference_dataset_id?: string | null;
  tenant_id?: string;
  extra?: Record<string, unknown> | null;
  run_count?: number | null;
  error_rate?: number | null;
  latency_p50?: number | null;
  latency_p99?: number | null;
  total_tokens?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_cost?: number | string | null;
  feedback_stats?: Record<string, { n: number; avg: number | null }> | null;
  // Retention (issue 19): the project's own choices; null means the workspace's.
  trace_tier?: "shortlived" | "longlived" | null;
  longlived_ttl_days?: number | null;
  payload_ttl_days?: number | null;
}

export interface Run {
  id: string;
  name: string;
  run_type: string;
  status?: string;
  start_time: string;
  end_time?: string | null;
  error?: string | null;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
  inputs_preview?: string | null;
  outputs_preview?: string | null;
  extra?: Record<string, unknown> | null;
  events?: Record<string, unknown>[] | null;
  tags?: string[] | null;
  trace_id: string;
  dotted_order?: string;
  parent_run_id?: string | null;
  session_id: string;
  reference_example_id?: string | null;
  total_tokens?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_cost?: number | string | null;
  prompt_cost?: number | string | null;
  completion_cost?: number | string | null;
  first_token_time?: string | null;
  feedback_stats?: Record<string, { n: number; avg: number | null }> | null;
  /** GET /runs/{id}: attachments as signed download URLs, keyed "attachment.<name>". */
  s3_urls?: Record<string, { presigned_url: string; mime_type?: string | null }> | null;
  attachments?: Record<string, { presigned_url: string; mime_type?: string }> | null;
  thread_id?: string | null;
}

export interface Feedback {
  id: string;
  run_id: string | null;
  session_id?: string | null;
  key: string;
  score?: number | boolean | null;
  value?: unknown;
  comment?: string | null;
  correction?: unknown;
  created_at?: string;
  modified_at?: string;
  feedback_source?: { type?: string; user_id?: string | null } | null;
}
