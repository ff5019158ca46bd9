"""SQL for organizations, workspaces, API keys, users and their memberships, and the setup token
(Postgres), as used by more than one service. Values always go as parameters."""

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

# Users and memberships (app/core/tenancy/users.py, login, members, setup, `./tracehouse user`).

INSERT_USER = """
INSERT INTO users (id, email, display_name, password_hash, organization_id)
VALUES (%(id)s, %(email)s, %(name)s, %(hash)s, %(organization_id)s)
ON CONFLICT (lower(email)) DO NOTHING
RETURNING id
"""

SELECT_USER_BY_EMAIL = """
SELECT id, email, display_name, password_hash, disabled_at, organization_id
FROM users WHERE lower(email) = lower(%(email)s)
"""

SELECT_USER = "SELECT id, email, display_name, disabled_at FROM users WHERE id = %(id)s"

UPSERT_MEMBER = """
INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (%(workspace_id)s, %(user_id)s, %(role)s)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role
"""

SELECT_MEMBERSHIPS = """
SELECT m.workspace_id, m.role, w.organization_id, w.name
FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
WHERE m.user_id = %(user_id)s
ORDER BY m.created_at, m.workspace_id
"""

# The setup token (app/core/tenancy/setup.py): `migrate` issues it, POST /api/v1/setup spends it.
# Kept together because both sides follow one locking protocol.

# Blocks every writer of `users` (and itself) until the transaction ends; reads go on. It is
# taken only while there is no account yet, so nothing waits on it in normal operation.
LOCK_USERS = "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"

SELECT_STATE = """
SELECT EXISTS (SELECT 1 FROM users) AS set_up, (SELECT token_hash FROM setup_token) AS token_hash
"""

SELECT_SET_UP = "SELECT EXISTS (SELECT 1 FROM users) AS set_up"

UPSERT_TOKEN = """
INSERT INTO setup_token (token_hash) VALUES (%(token_hash)s)
ON CONFLICT (singleton) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()
"""

DELETE_TOKEN = "DELETE FROM setup_token"

# A session lock only `migrate` takes, around writing a token and logging its link.
LOCK_ANNOUNCE = "SELECT pg_advisory_lock(hashtext('tracehouse.setup_token'))"

UNLOCK_ANNOUNCE = "SELECT pg_advisory_unlock(hashtext('tracehouse.setup_token'))"
