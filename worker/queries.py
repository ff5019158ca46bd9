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
# --- deletions (worker/deletion.py) ------------------------------------------------------------
# Runs of the scope being deleted: their ids find the Postgres rows that name runs (shares,
# feedback tokens, queue items, examples' source runs), which no foreign key can reach.
SELECT_PROJECT_RUN_IDS = "SELECT DISTINCT id FROM runs WHERE workspace_id = %(w)s AND project_id = %(p)s"
SELECT_TRACE_RUN_IDS = (
    "SELECT DISTINCT id FROM runs WHERE workspace_id = %(w)s AND project_id = %(p)s AND trace_id IN %(t)s"
)
SELECT_WORKSPACE_RUNS_AMONG = "SELECT DISTINCT toString(id) FROM runs WHERE workspace_id = %(w)s AND id IN %(ids)s"

DELETE_TRACE_ATTACHMENTS = "DELETE FROM run_attachments WHERE workspace_id = %(w)s AND run_id IN %(r)s"
DELETE_TRACE_FEEDBACK = "DELETE FROM feedback WHERE workspace_id = %(w)s AND (trace_id IN %(t)s OR run_id IN %(r)s)"
DELETE_TRACE_RUNS = "DELETE FROM runs WHERE workspace_id = %(w)s AND project_id = %(p)s AND trace_id IN %(t)s"

DELETE_WORKSPACE_ATTACHMENTS = "DELETE FROM run_attachments WHERE workspace_id = %(w)s"
DELETE_WORKSPACE_FEEDBACK = "DELETE FROM feedback WHERE workspace_id = %(w)s"
DELETE_WORKSPACE_RUNS = "DELETE FROM runs WHERE workspace_id = %(w)s"

# A lightweight DELETE only masks rows; this rewrites the parts that hold masked rows so the
# deleted bytes leave the disk now rather than at some later merge.
# Runs last: a run gone from the parts then means the whole delete is done.
APPLY_DELETED_MASK = (
    "ALTER TABLE run_attachments APPLY DELETED MASK",
    "ALTER TABLE feedback APPLY DELETED MASK",
    "ALTER TABLE runs APPLY DELETED MASK",
)

# Postgres rows that name a deleted run. Examples keep existing (they belong to their dataset)
# but no longer point at a run that is gone.
PG_DELETE_RUN_SHARES = "DELETE FROM run_shares WHERE workspace_id = %(w)s AND run_id = ANY(%(r)s)"
PG_DELETE_FEEDBACK_TOKENS = "DELETE FROM feedback_tokens WHERE workspace_id = %(w)s AND run_id = ANY(%(r)s)"
PG_DELETE_QUEUE_ITEMS = """
DELETE FROM annotation_queue_items
WHERE run_id = ANY(%(r)s) AND queue_id IN (SELECT id FROM annotation_queues WHERE workspace_id = %(w)s)
"""
PG_UNLINK_EXAMPLES = """
UPDATE examples SET source_run_id = NULL WHERE workspace_id = %(w)s AND source_run_id = ANY(%(r)s)
"""
PG_UNLINK_REVISIONS = """
UPDATE example_revisions SET source_run_id = NULL
WHERE source_run_id = ANY(%(r)s) AND dataset_id IN (SELECT id FROM datasets WHERE workspace_id = %(w)s)
"""
PG_RUN_STATEMENTS = (
    PG_DELETE_RUN_SHARES,
    PG_DELETE_FEEDBACK_TOKENS,
    PG_DELETE_QUEUE_ITEMS,
    PG_UNLINK_EXAMPLES,
    PG_UNLINK_REVISIONS,
)

# --- storage usage and the disk budget (worker/storage.py) -----------------------------------
# On-disk and uncompressed bytes of the app's tables (active parts only: inactive ones are
# merged away within minutes and are no tenant's).
CH_TABLE_BYTES = """
SELECT table, sum(bytes_on_disk), sum(data_uncompressed_bytes), sum(rows)
FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table
"""
# Per-column compression of the runs' payload columns. Compact parts (small, fresh ones) report 0
# per column; those columns then take the table's own ratio.
CH_PAYLOAD_COLUMN_BYTES = """
SELECT column, sum(column_data_compressed_bytes), sum(column_data_uncompressed_bytes)
FROM system.parts_columns
WHERE database = currentDatabase() AND table = 'runs' AND active AND column IN %(columns)s
GROUP BY column
"""
# What each project's runs hold: the row count and the payload columns' uncompressed lengths.
CH_RUNS_BY_PROJECT = """
SELECT workspace_id, project_id, count(),
       sum(length(inputs)), sum(length(outputs)), sum(length(events)), sum(length(serialized)),
       sum(length(extra)), sum(length(ifNull(error, '')))
FROM runs GROUP BY workspace_id, project_id
"""
CH_FEEDBACK_BY_WORKSPACE = "SELECT workspace_id, count() FROM feedback GROUP BY workspace_id"
CH_ATTACHMENTS_BY_WORKSPACE = "SELECT workspace_id, sum(size) FROM run_attachments GROUP BY workspace_id"
CH_DISK_BYTES = "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND active"
PG_DATABASE_BYTES = "SELECT pg_database_size(current_database())"

# Samples of tenants that still exist (ClickHouse may still hold rows of a scope being deleted).
INSERT_STORAGE_TOTAL = """
INSERT INTO storage_totals (sampled_at, clickhouse_bytes, postgres_bytes, redis_bytes, total_bytes)
VALUES (%(at)s, %(clickhouse)s, %(postgres)s, %(redis)s, %(total)s) ON CONFLICT (sampled_at) DO NOTHING
"""
INSERT_STORAGE_SAMPLE = """
INSERT INTO storage_samples (sampled_at, workspace_id, project_id, bytes, runs)
SELECT %(at)s, %(w)s, %(p)s, %(bytes)s, %(runs)s
WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = %(w)s)
  AND (%(p)s::uuid IS NULL OR EXISTS (SELECT 1 FROM projects WHERE id = %(p)s AND workspace_id = %(w)s))
"""
SELECT_RECENT_TOTALS = "SELECT sampled_at, total_bytes FROM storage_totals WHERE sampled_at >= %(since)s"
PRUNE_STORAGE_TOTALS = "DELETE FROM storage_totals WHERE sampled_at < %(before)s"
PRUNE_STORAGE_SAMPLES = "DELETE FROM storage_samples WHERE sampled_at < %(before)s"
INSERT_PAYLOAD_EXPIRY = """
INSERT INTO storage_payload_expiries (id, partition_id, columns, bytes_before, bytes_after)
VALUES (%(id)s, %(partition)s, %(columns)s, %(before)s, %(after)s)
"""
# Webhooks that asked for the installation's disk-budget events (every workspace's).
SELECT_STORAGE_WEBHOOKS = """
SELECT workspace_id, id FROM webhooks WHERE storage_events AND enabled ORDER BY workspace_id, id
"""
SELECT_PAYLOAD_EXPIRED_PARTITIONS = "SELECT partition_id FROM storage_payload_expiries"

# Runs partitions oldest first. The partition id is toYYYYMM(start_time): six digits, checked
# before it is put into the ALTER below (an identifier cannot be a driver parameter).
CH_RUNS_PARTITIONS = """
SELECT partition_id FROM system.parts
WHERE database = currentDatabase() AND table = 'runs' AND active
GROUP BY partition_id ORDER BY partition_id
"""
# Payload expiry: the heavy columns go back to their defaults (''); ids, times, names, status,
# tokens, costs, metadata, tags and previews stay, so charts and stats keep their history.
PAYLOAD_COLUMNS = ("inputs", "outputs", "events", "serialized")
CLEAR_RUNS_COLUMN_IN_PARTITION = "ALTER TABLE runs CLEAR COLUMN {column} IN PARTITION ID '{partition}'"
