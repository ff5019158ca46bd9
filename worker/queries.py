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

# The model price map's workspace entries (issue 19), for the writer's price cache (worker/pricing.py).
SELECT_MODEL_PRICES = """
SELECT id, workspace_id, default_id, disabled, name, provider, match_pattern, start_time, prompt_cost,
       completion_cost, prompt_cost_details, completion_cost_details
FROM model_prices WHERE workspace_id = ANY(%(workspaces)s::uuid[])
ORDER BY workspace_id, created_at, id
"""
