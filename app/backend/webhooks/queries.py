"""SQL for webhooks and their delivery log (Postgres). Every statement is scoped by workspace_id.
Events and deliveries themselves are written with app/core/webhooks/queries.py."""

COLUMNS = "id, workspace_id, name, url, secret, format, enabled, storage_events, created_at, modified_at"

INSERT_WEBHOOK = f"""
INSERT INTO webhooks (id, workspace_id, name, url, secret, format, enabled, storage_events)
VALUES (%(id)s, %(workspace_id)s, %(name)s, %(url)s, %(secret)s, %(format)s, %(enabled)s, %(storage_events)s)
RETURNING {COLUMNS}
"""

LIST_WEBHOOKS = f"""
SELECT {COLUMNS} FROM webhooks WHERE workspace_id = %(workspace_id)s ORDER BY created_at, id
"""

SELECT_WEBHOOK = f"""
SELECT {COLUMNS} FROM webhooks WHERE workspace_id = %(workspace_id)s AND id = %(id)s
"""

# Unset fields (NULL) keep their value, so one statement serves every partial update.
UPDATE_WEBHOOK = f"""
UPDATE webhooks SET
    name = COALESCE(%(name)s, name),
    url = COALESCE(%(url)s, url),
    secret = COALESCE(%(secret)s, secret),
    format = COALESCE(%(format)s, format),
    enabled = COALESCE(%(enabled)s, enabled),
    storage_events = COALESCE(%(storage_events)s, storage_events),
    modified_at = clock_timestamp()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING {COLUMNS}
"""

DELETE_WEBHOOK = """
DELETE FROM webhooks WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id
"""

# Newest first, each with its attempts (oldest first) as one JSON array.
LIST_DELIVERIES = """
SELECT d.id, d.event_id, e.event_type, d.status, d.attempts, d.created_at, d.finished_at,
       COALESCE(
           (SELECT jsonb_agg(jsonb_build_object(
                'attempt', a.attempt, 'status_code', a.status_code, 'error', a.error,
                'attempted_at', a.attempted_at) ORDER BY a.attempt)
            FROM webhook_attempts a WHERE a.delivery_id = d.id),
           '[]'::jsonb
       ) AS attempt_log
FROM webhook_deliveries d
JOIN webhook_events e ON e.id = d.event_id
WHERE d.workspace_id = %(workspace_id)s AND d.webhook_id = %(webhook_id)s
ORDER BY d.created_at DESC, d.id
LIMIT %(limit)s
"""
