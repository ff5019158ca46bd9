// Wire shapes of GET /sessions/{project_id}/threads and /threads/{thread_id}
// (app/backend/threads/schemas.py).

export interface Thread {
  thread_id: string;
  turn_count: number;
  first_start_time: string;
  last_start_time: string;
  latency_p50: number | null;
  error_count: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  total_cost: number | null;
  first_input_preview: string;
  last_output_preview: string;
}

export interface ThreadPage {
  threads: Thread[];
  total: number;
  offset: number;
  limit: number;
  next_offset: number | null;
}

export interface Turn {
  id: string;
  trace_id: string;
  name: string;
  run_type: string;
  status: string;
  error: string | null;
  start_time: string;
  end_time: string | null;
  latency: number | null;
  first_token_time: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  tags: string[];
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  total_cost: number | null;
}

export interface ThreadDetail {
  thread: Thread;
  turns: Turn[];
  offset: number;
  limit: number;
  next_offset: number | null;
}
