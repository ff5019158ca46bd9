"""SQL for retention settings (Postgres). Every statement is scoped by workspace_id."""

# The workspace's row, or nothing (then the defaults of app/core/retention.py apply).
SELECT_WORKSPACE_RETENTION = """
SELECT default_trace_tier, shortlived_ttl_days, longlived_ttl_days, payload_ttl_days
FROM workspace_retention WHERE workspace_id = %(workspace_id)s
"""

# The whole row is written: the service merges the change into the current values first and
# checks the result, so one statement serves create and update.
UPSERT_WORKSPACE_RETENTION = """
INSERT INTO workspace_retention
    (workspace_id, default_trace_tier, shortlived_ttl_days, longlived_ttl_days, payload_ttl_days, modified_at)
VALUES (%(workspace_id)s, %(default_trace_tier)s, %(shortlived_ttl_days)s, %(longlived_ttl_days)s,
        %(payload_ttl_days)s, now())
ON CONFLICT (workspace_id) DO UPDATE SET
    default_trace_tier = EXCLUDED.default_trace_tier,
    shortlived_ttl_days = EXCLUDED.shortlived_ttl_days,
    longlived_ttl_days = EXCLUDED.longlived_ttl_days,
    payload_ttl_days = EXCLUDED.payload_ttl_days,
    modified_at = now()
RETURNING default_trace_tier, shortlived_ttl_days, longlived_ttl_days, payload_ttl_days
"""

# A project's own retention choices; each `set_*` flag says whether that field is being changed
# (NULL is a value here: "as the workspace says").
UPDATE_PROJECT_RETENTION = """
UPDATE projects SET
    trace_tier = CASE WHEN %(set_tier)s THEN %(trace_tier)s ELSE trace_tier END,
    longlived_ttl_days = CASE WHEN %(set_long)s THEN %(longlived_ttl_days)s ELSE longlived_ttl_days END,
    payload_ttl_days = CASE WHEN %(set_payload)s THEN %(payload_ttl_days)s ELSE payload_ttl_days END
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING trace_tier, longlived_ttl_days, payload_ttl_days
"""
