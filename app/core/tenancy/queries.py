"""SQL for organizations, workspaces and API keys (Postgres). Values always go as parameters."""

INSERT_ORG = """
INSERT INTO organizations (id, name) VALUES (%(id)s, %(name)s)
ON CONFLICT (lower(name)) DO NOTHING
"""

SELECT_ORG_BY_NAME = "SELECT id, name, created_at FROM organizations WHERE lower(name) = lower(%(name)s)"

SELECT_FIRST_ORG = "SELECT id, name, created_at FROM organizations ORDER BY created_at, id LIMIT 1"

INSERT_WORKSPACE = """
INSERT INTO workspaces (id, organization_id, name) VALUES (%(id)s, %(organization_id)s, %(name)s)
ON CONFLICT (organization_id, lower(name)) DO NOTHING
"""

SELECT_WORKSPACE_BY_NAME = """
SELECT id, organization_id, name, created_at FROM workspaces
WHERE organization_id = %(organization_id)s AND lower(name) = lower(%(name)s)
"""

SELECT_WORKSPACES_OF_ORG = """
SELECT id, organization_id, name, created_at FROM workspaces
WHERE organization_id = %(organization_id)s
ORDER BY created_at, id
"""

SELECT_WORKSPACE = """
SELECT id, organization_id, name, created_at FROM workspaces WHERE id = %(id)s
"""

INSERT_API_KEY = """
INSERT INTO api_keys (id, organization_id, workspace_id, name, prefix, key_hash, expires_at, role, user_id,
                      created_by)
VALUES (%(id)s, %(organization_id)s, %(workspace_id)s, %(name)s, %(prefix)s, %(key_hash)s, %(expires_at)s, %(role)s,
        %(user_id)s, %(created_by)s)
RETURNING id, organization_id, workspace_id, name, prefix, role, user_id, created_by, created_at, expires_at,
          last_used_at, revoked_at
"""

SELECT_API_KEY_BY_PREFIX = """
SELECT k.id, k.organization_id, k.workspace_id, k.key_hash, k.expires_at, k.revoked_at, k.role, k.user_id,
       (SELECT m.role FROM workspace_members m JOIN users u ON u.id = m.user_id
         WHERE m.user_id = k.user_id AND m.workspace_id = k.workspace_id AND u.disabled_at IS NULL) AS member_role,
       (SELECT coalesce(array_agg(w.id ORDER BY w.created_at, w.id), '{}')
          FROM workspaces w WHERE w.organization_id = k.organization_id) AS org_workspace_ids
FROM api_keys k
WHERE k.prefix = %(prefix)s
"""

SELECT_API_KEYS_OF_WORKSPACE = """
SELECT id, organization_id, workspace_id, name, prefix, role, user_id, created_by, created_at, expires_at,
       last_used_at, revoked_at
FROM api_keys
WHERE workspace_id = %(workspace_id)s AND revoked_at IS NULL
ORDER BY created_at DESC, id
"""

REVOKE_API_KEY = """
UPDATE api_keys SET revoked_at = now()
WHERE id = %(id)s AND workspace_id = %(workspace_id)s AND revoked_at IS NULL
RETURNING key_hash
"""

# A personal token's cached resolution carries its user's role, so changing or ending that user's
# membership must evict these entries (by hash) for the change to apply at once.
SELECT_PERSONAL_KEY_HASHES = """
SELECT key_hash FROM api_keys
WHERE user_id = %(user_id)s AND workspace_id = %(workspace_id)s AND revoked_at IS NULL
"""

TOUCH_API_KEY = "UPDATE api_keys SET last_used_at = now() WHERE id = %(id)s"

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
