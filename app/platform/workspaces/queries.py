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

# Deleting a workspace: its rows in every workspace table go by ON DELETE CASCADE. Refused for an
# organization's last workspace (its people and keys would have nowhere to act).
COUNT_ORG_WORKSPACES = "SELECT count(*) AS n FROM workspaces WHERE organization_id = %(organization_id)s"
# Cached key resolutions that may name the workspace: its own keys and the organization-wide ones.
SELECT_KEY_HASHES_FOR_WORKSPACE = """
SELECT key_hash FROM api_keys
WHERE organization_id = %(organization_id)s AND (workspace_id = %(id)s OR workspace_id IS NULL)
"""
DELETE_WORKSPACE = """
DELETE FROM workspaces WHERE id = %(id)s AND organization_id = %(organization_id)s RETURNING id
"""
