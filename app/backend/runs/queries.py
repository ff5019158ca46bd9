"""SQL for reading runs (ClickHouse). Every statement is scoped by workspace_id."""

RUN_COLUMNS = (
    "id",
    "trace_id",
    "parent_run_id",
    "dotted_order",
    "project_id",
    "name",
    "run_type",
    "status",
    "start_time",
    "end_time",
    "first_token_time",
    "tags",
    "inputs",
    "outputs",
    "error",
    "extra",
    "events",
    "serialized",
    "reference_example_id",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_cost",
    "completion_cost",
    "total_cost",
    "attachments",
)

SELECT_RUN = """
SELECT {columns} FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
LIMIT 1
""".format(columns=", ".join(RUN_COLUMNS))

SELECT_ATTACHMENTS = """
SELECT name, content_type FROM run_attachments FINAL
WHERE workspace_id = %(workspace_id)s AND run_id = %(run_id)s
ORDER BY name
"""

SELECT_ATTACHMENT_DATA = """
SELECT content_type, data FROM run_attachments FINAL
WHERE workspace_id = %(workspace_id)s AND run_id = %(run_id)s AND name = %(name)s
LIMIT 1
"""
