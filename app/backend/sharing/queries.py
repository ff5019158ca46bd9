"""SQL for run shares (Postgres)."""

INSERT_SHARE = """
INSERT INTO run_shares (token, workspace_id, run_id, trace_id)
VALUES (%(token)s, %(workspace_id)s, %(run_id)s, %(trace_id)s)
ON CONFLICT (workspace_id, run_id) DO NOTHING
"""
SELECT_SHARE_OF_RUN = "SELECT token FROM run_shares WHERE workspace_id = %(workspace_id)s AND run_id = %(run_id)s"
DELETE_SHARE = "DELETE FROM run_shares WHERE workspace_id = %(workspace_id)s AND run_id = %(run_id)s"
SELECT_SHARE = "SELECT workspace_id, run_id, trace_id FROM run_shares WHERE token = %(token)s"
