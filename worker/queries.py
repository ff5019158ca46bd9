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

# The writer's batch inserts and its read of stored run state (stage 2).
INSERT_RUNS = "INSERT INTO runs ({}) VALUES".format(", ".join(RUN_COLUMNS))
INSERT_FEEDBACK = "INSERT INTO feedback (workspace_id, {}) VALUES".format(", ".join(FEEDBACK_COLUMNS))
INSERT_ATTACHMENTS = """INSERT INTO run_attachments (workspace_id, run_id, name, content_type, size, data,
received_at, version) VALUES"""
SELECT_STATES = "SELECT {} FROM runs FINAL WHERE workspace_id = %(workspace_id)s AND id IN %(ids)s".format(
    ", ".join(STATE_FIELDS)
)

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
