"""SQL for workspace members and invitations (Postgres). Values always go as parameters."""

SELECT_MEMBERS = """
SELECT u.id, u.email, u.display_name, m.role, m.created_at
FROM workspace_members m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = %(workspace_id)s
ORDER BY m.created_at, u.id
"""

UPDATE_MEMBER = """
UPDATE workspace_members SET role = %(role)s WHERE workspace_id = %(workspace_id)s AND user_id = %(user_id)s
RETURNING user_id
"""

DELETE_MEMBER = (
    "DELETE FROM workspace_members WHERE workspace_id = %(workspace_id)s AND user_id = %(user_id)s RETURNING user_id"
)

INSERT_INVITE = """
INSERT INTO invites (id, token_hash, workspace_id, email, role, created_by, expires_at)
VALUES (%(id)s, %(token_hash)s, %(workspace_id)s, %(email)s, %(role)s, %(created_by)s, %(expires_at)s)
"""

CLAIM_INVITE = """
UPDATE invites SET accepted_at = now()
WHERE token_hash = %(token_hash)s AND accepted_at IS NULL AND expires_at > now()
RETURNING workspace_id, email, role,
          (SELECT w.organization_id FROM workspaces w WHERE w.id = invites.workspace_id) AS organization_id
"""
