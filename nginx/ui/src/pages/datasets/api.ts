// Wire shapes of /api/v1/datasets and /api/v1/examples as the datasets pages read them
// (app/backend/datasets/schemas.py, app/backend/examples/schemas.py).

export type DataType = "kv" | "llm" | "chat";

export interface Dataset {
  id: string;
  name: string;
  description: string | null;
  data_type: DataType;
  created_at: string;
  modified_at: string;
  example_count: number;
  session_count: number;
  last_session_start_time: string | null;
  inputs_schema_definition?: Record<string, unknown> | null;
  outputs_schema_definition?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
}

export interface Example {
  id: string;
  dataset_id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  metadata: Record<string, unknown>;
  source_run_id: string | null;
  created_at: string;
  modified_at: string;
  attachment_urls?: Record<string, { presigned_url: string; mime_type?: string }> | null;
}

export interface DatasetVersion {
  as_of: string;
  tags: string[];
}

export interface VersionDiff {
  examples_added: string[];
  examples_removed: string[];
  examples_modified: string[];
}

export const DATA_TYPES: { value: DataType; label: string; hint: string }[] = [
  { value: "kv", label: "Key-value", hint: "Any JSON inputs and outputs" },
  { value: "llm", label: "LLM", hint: "A prompt string in, a completion out" },
  { value: "chat", label: "Chat", hint: "Chat messages in, a message out" },
];
