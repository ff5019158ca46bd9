"""SQL for model providers (Postgres), scoped by workspace_id."""

COLUMNS = "id, workspace_id, name, kind, base_url, api_key_cipher, api_key_hint, default_model, created_at, updated_at"

INSERT = f"""
INSERT INTO model_providers (id, workspace_id, name, kind, base_url, api_key_cipher, api_key_hint, default_model)
VALUES (%(id)s, %(workspace_id)s, %(name)s, %(kind)s, %(base_url)s, %(cipher)s, %(hint)s, %(default_model)s)
ON CONFLICT DO NOTHING
RETURNING {COLUMNS}
"""

LIST = f"SELECT {COLUMNS} FROM model_providers WHERE workspace_id = %(workspace_id)s ORDER BY name"

BY_ID = f"SELECT {COLUMNS} FROM model_providers WHERE workspace_id = %(workspace_id)s AND id = %(id)s"

BY_NAME = f"SELECT {COLUMNS} FROM model_providers WHERE workspace_id = %(workspace_id)s AND name = %(name)s"

UPDATE = f"""
UPDATE model_providers SET
    name = CASE WHEN %(set_name)s THEN %(name)s ELSE name END,
    base_url = CASE WHEN %(set_base_url)s THEN %(base_url)s ELSE base_url END,
    api_key_cipher = CASE WHEN %(set_key)s THEN %(cipher)s ELSE api_key_cipher END,
    api_key_hint = CASE WHEN %(set_key)s THEN %(hint)s ELSE api_key_hint END,
    default_model = CASE WHEN %(set_default_model)s THEN %(default_model)s ELSE default_model END,
    updated_at = now()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING {COLUMNS}
"""

DELETE = "DELETE FROM model_providers WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id"
