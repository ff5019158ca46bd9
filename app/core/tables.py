"""The ClickHouse tables as code sees them: the one list of the columns written to each
(migrations/clickhouse/ is the DDL: 0001_runs.sql; 0002_run_previews.sql adds the previews,
0003_run_costs.sql the token and cost breakdowns, 0004_retention.sql the retention stamps).
The worker builds rows in these orders, the backend reads and writes feedback with the same list
and maps API fields onto the run columns; tests/platform/test_ingest_http.py checks the lists against the live tables.
"""

from __future__ import annotations

RUN_COLUMNS = (
    "workspace_id", "project_id", "id", "trace_id", "parent_run_id", "dotted_order", "name", "run_type",
    "status", "start_time", "end_time", "latency_seconds", "first_token_time", "tags", "metadata", "thread_id",
    "reference_example_id", "model_name", "model_provider", "prompt_tokens", "completion_tokens",
    "total_tokens", "prompt_cost", "completion_cost", "total_cost", "inputs", "outputs", "error", "extra",
    "events", "serialized", "attachments", "received_at", "version", "inputs_preview", "outputs_preview",
    "error_preview",
    # 0004_retention.sql: the days a run and its payloads are kept (issue 19)
    "retention_days", "payload_retention_days",
    # 0003_run_costs.sql: token breakdowns and the costs priced from them (issue 19)
    "prompt_token_details", "completion_token_details", "prompt_cost_details", "completion_cost_details",
    "cost_source",
)  # fmt: skip
# An LLM run whose tokens were recorded but which has no cost: no price reached it (neither the
# caller nor the price table), so its cost is unknown, not zero. Project stats, the monitoring
# series and /runs/stats name such runs' models (`unpriced_models`) and the UI links to adding a price.
UNPRICED_LLM_RUN = "run_type = 'llm' AND total_tokens > 0 AND (total_cost IS NULL OR total_cost = 0)"

# Columns `runs` has beyond RUN_COLUMNS, which nothing inserts (`is_root` is materialised,
# `is_deleted` defaults).
UNWRITTEN_COLUMNS = ("is_root", "is_deleted")

# The `feedback` columns after `workspace_id` (which every insert puts first), without
# `is_deleted` (the backend's updates and deletes add it, the writer's inserts leave it default).
FEEDBACK_COLUMNS = (
    "id", "run_id", "trace_id", "project_id", "key", "score", "value", "comment", "correction",
    "feedback_source", "source_type", "feedback_config", "extra", "comparative_experiment_id",
    "feedback_group_id", "start_time", "created_at", "modified_at", "version",
)  # fmt: skip
