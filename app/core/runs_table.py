"""The ClickHouse `runs` table as code sees it: the one list of the columns the writer inserts
(migrations/clickhouse/0001_runs.sql is the DDL; `is_root` is materialised and `is_deleted`
defaults, so neither is written). The worker builds rows in this order and the backend maps API
fields onto these names; tests/platform/test_ingest_http.py checks the list against the live table.
"""

from __future__ import annotations

RUN_COLUMNS = (
    "workspace_id", "project_id", "id", "trace_id", "parent_run_id", "dotted_order", "name", "run_type",
    "status", "start_time", "end_time", "latency_seconds", "first_token_time", "tags", "metadata", "thread_id",
    "reference_example_id", "model_name", "model_provider", "prompt_tokens", "completion_tokens",
    "total_tokens", "prompt_cost", "completion_cost", "total_cost", "inputs", "outputs", "error", "extra",
    "events", "serialized", "attachments", "received_at", "version",
)  # fmt: skip
# Columns the table has beyond RUN_COLUMNS, which nothing inserts.
UNWRITTEN_COLUMNS = ("is_root", "is_deleted")
