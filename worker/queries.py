"""SQL the workers run. Values always go as driver parameters."""

from __future__ import annotations

from app.core.tables import FEEDBACK_COLUMNS, RUN_COLUMNS
from worker.merge import STATE_FIELDS

# Projects are created on first sight of a session name (wire §2.2: "upsert the session by name").
INSERT_PROJECT = """
INSERT INTO projects (id, workspace_id, name) VALUES (%(id)s, %(workspace_id)s, %(name)s)
ON CONFLICT (workspace_id, name) DO NOTHING
"""
SELECT_PROJECT_BY_NAME = "SELECT id FROM projects WHERE workspace_id = %(workspace_id)s AND name = %(name)s"
SELECT_PROJECT_BY_ID = "SELECT id FROM projects WHERE workspace_id = %(workspace_id)s AND id = %(id)s"
# A project's retention settings and its workspace's (app/core/retention.stamp_of reads the names).
SELECT_RETENTION = """
SELECT p.trace_tier, p.longlived_ttl_days, p.payload_ttl_days,
       w.default_trace_tier AS ws_default_trace_tier, w.shortlived_ttl_days AS ws_shortlived_ttl_days,
       w.longlived_ttl_days AS ws_longlived_ttl_days, w.payload_ttl_days AS ws_payload_ttl_days
FROM projects p LEFT JOIN workspace_retention w ON w.workspace_id = p.workspace_id
WHERE p.workspace_id = %(workspace_id)s AND p.id = %(id)s
"""

# The writer's batch inserts and its read of stored run state (stage 2).
INSERT_RUNS = "INSERT INTO runs ({}) VALUES".format(", ".join(RUN_COLUMNS))
INSERT_FEEDBACK = "INSERT INTO feedback (workspace_id, {}) VALUES".format(", ".join(FEEDBACK_COLUMNS))
INSERT_ATTACHMENTS = """INSERT INTO run_attachments (workspace_id, run_id, name, content_type, size, data,
received_at, version, expires_at) VALUES"""
SELECT_STATES = "SELECT {} FROM runs FINAL WHERE workspace_id = %(workspace_id)s AND id IN %(ids)s".format(
    ", ".join(STATE_FIELDS)
)
# Every stored run of some traces, for a long-tier upgrade (worker/retention.py).
SELECT_TRACE_STATES = (
    "SELECT {} FROM runs FINAL WHERE workspace_id = %(workspace_id)s AND trace_id IN %(traces)s"
    " AND is_deleted = 0".format(", ".join(STATE_FIELDS))
)
# A long-tier upgrade keeps the trace's attachments as long as its payloads: their rows are
# written again (inside ClickHouse, the bytes never leave it) with the later expiry and a higher
# version, so the replacing merge keeps the new stamp.
RESTAMP_ATTACHMENTS = """
INSERT INTO run_attachments (workspace_id, run_id, name, content_type, size, data, received_at, version, expires_at)
SELECT workspace_id, run_id, name, content_type, size, data, received_at, greatest(version + 1, %(version)s),
       %(expires)s
FROM run_attachments FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IN %(ids)s AND expires_at < %(expires)s
"""
# The traces, projects and stamps of runs that are to be kept for the long tier.
SELECT_RUN_TRACES = """
SELECT id, trace_id, project_id, retention_days, payload_retention_days FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND id IN %(ids)s AND is_deleted = 0
"""

# Lightweight deletes: rows vanish from reads at once, parts are rewritten by merges later.
DELETE_ATTACHMENTS = """
DELETE FROM run_attachments WHERE workspace_id = %(w)s
  AND run_id IN (SELECT id FROM runs WHERE workspace_id = %(w)s AND project_id = %(p)s)
"""
DELETE_FEEDBACK = """
DELETE FROM feedback WHERE workspace_id = %(w)s
  AND (project_id = %(p)s OR run_id IN (SELECT id FROM runs WHERE workspace_id = %(w)s AND project_id = %(p)s))
"""
DELETE_RUNS = "DELETE FROM runs WHERE workspace_id = %(w)s AND project_id = %(p)s"

# Month partitions of `runs` whose every row (every version, deleted or not) has expired: the
# latest expiry in the partition is past. Reads two small columns of the whole table, hourly.
SELECT_EXPIRED_PARTITIONS = """
SELECT _partition_id FROM runs
GROUP BY _partition_id
HAVING max(toDateTime(start_time) + toIntervalDay(retention_days)) < now()
"""
# The same question for one partition, asked again just before it is dropped.
PARTITION_EXPIRED = """
SELECT max(toDateTime(start_time) + toIntervalDay(retention_days)) < now() FROM runs
WHERE _partition_id = %(partition)s
"""
DROP_RUNS_PARTITION = "ALTER TABLE runs DROP PARTITION ID %(partition)s"
# The model price map's workspace entries (issue 19), for the writer's price cache (worker/pricing.py).
SELECT_MODEL_PRICES = """
SELECT id, workspace_id, default_id, disabled, name, provider, match_pattern, start_time, prompt_cost,
       completion_cost, prompt_cost_details, completion_cost_details
FROM model_prices WHERE workspace_id = ANY(%(workspaces)s::uuid[])
ORDER BY workspace_id, created_at, id
"""
