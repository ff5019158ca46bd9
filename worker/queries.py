"""SQL the workers run. Values always go as driver parameters."""

# Projects are created on first sight of a session name (wire §2.2: "upsert the session by name").
INSERT_PROJECT = """
INSERT INTO projects (id, workspace_id, name) VALUES (%(id)s, %(workspace_id)s, %(name)s)
ON CONFLICT (workspace_id, name) DO NOTHING
"""
SELECT_PROJECT_BY_NAME = "SELECT id FROM projects WHERE workspace_id = %(workspace_id)s AND name = %(name)s"
SELECT_PROJECT_BY_ID = "SELECT id FROM projects WHERE workspace_id = %(workspace_id)s AND id = %(id)s"
