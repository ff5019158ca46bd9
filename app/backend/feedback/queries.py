"""SQL for feedback (ClickHouse). Updates and deletes re-insert the row with a higher version;
ReplacingMergeTree(version, is_deleted) keeps the newest, and FINAL reads see only that."""

FEEDBACK_COLUMNS = (
    "id", "run_id", "trace_id", "project_id", "key", "score", "value", "comment", "correction",
    "feedback_source", "source_type", "feedback_config", "extra", "comparative_experiment_id",
    "feedback_group_id", "start_time", "created_at", "modified_at", "version",
)  # fmt: skip

INSERT_FEEDBACK = "INSERT INTO feedback (workspace_id, {}, is_deleted) VALUES".format(", ".join(FEEDBACK_COLUMNS))

SELECT_FEEDBACK = """
SELECT {} FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND id = %(id)s AND is_deleted = 0
LIMIT 1
""".format(", ".join(FEEDBACK_COLUMNS))

# Optional filters as `(empty(param) OR ...)` so the statement stays one constant.
LIST_FEEDBACK = """
SELECT {} FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND is_deleted = 0
  AND (empty(%(runs)s) OR has(%(runs)s, toString(run_id)))
  AND (empty(%(keys)s) OR has(%(keys)s, key))
  AND (empty(%(sources)s) OR has(%(sources)s, source_type))
  AND (empty(%(sessions)s) OR has(%(sessions)s, toString(project_id)))
ORDER BY created_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s
""".format(", ".join(FEEDBACK_COLUMNS))
