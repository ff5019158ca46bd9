"""SQL of the workspace and organization routes (Postgres). Values always go as parameters."""

CREATE_WORKSPACE = """
INSERT INTO workspaces (id, organization_id, name) VALUES (%(id)s, %(organization_id)s, %(name)s)
ON CONFLICT (organization_id, lower(name)) DO NOTHING
RETURNING id, organization_id, name, created_at
"""

RENAME_WORKSPACE = """
UPDATE workspaces SET name = %(name)s WHERE id = %(id)s AND organization_id = %(organization_id)s
RETURNING id, organization_id, name, created_at
"""

SELECT_ORG = "SELECT id, name, created_at FROM organizations WHERE id = %(id)s"

SELECT_USER_WORKSPACE_IDS = "SELECT workspace_id FROM workspace_members WHERE user_id = %(user_id)s"
