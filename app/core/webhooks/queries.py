"""SQL of webhook events and deliveries (Postgres), shared by the backend and the queue service.
Every statement names its workspace, or a delivery id that a workspace-scoped statement produced."""

INSERT_EVENT = """
INSERT INTO webhook_events (id, workspace_id, event_type, payload)
VALUES (%(id)s, %(workspace_id)s, %(event_type)s, %(payload)s)
"""

# For producers whose event id is derived from what happened: recording it twice is harmless.
INSERT_EVENT_ONCE = """
INSERT INTO webhook_events (id, workspace_id, event_type, payload)
VALUES (%(id)s, %(workspace_id)s, %(event_type)s, %(payload)s)
ON CONFLICT (id) DO NOTHING
"""

# One delivery per enabled webhook of the workspace among those named; offering the same event to
# a webhook twice adds nothing (the unique key), so a retried producer cannot send it twice.
INSERT_DELIVERIES = """
INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id)
SELECT gen_random_uuid(), w.workspace_id, w.id, %(event_id)s
FROM webhooks w
WHERE w.workspace_id = %(workspace_id)s AND w.id = ANY(%(webhook_ids)s::uuid[]) AND w.enabled
ON CONFLICT (webhook_id, event_id) DO NOTHING
RETURNING id
"""

# "Send test" goes to the one webhook asked for, enabled or not.
INSERT_DELIVERY = """
INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id)
SELECT %(id)s, w.workspace_id, w.id, %(event_id)s
FROM webhooks w
WHERE w.workspace_id = %(workspace_id)s AND w.id = %(webhook_id)s
RETURNING id
"""

# The sender holds this row lock while it sends: a second job for the same delivery (a retry that
# overlaps, a sweep) skips it instead of sending again.
SELECT_DELIVERY_FOR_SEND = """
SELECT d.id, d.workspace_id, d.status, d.attempts, w.url, w.secret, w.format,
       e.id AS event_id, e.event_type, e.payload, e.created_at AS event_created_at
FROM webhook_deliveries d
JOIN webhooks w ON w.id = d.webhook_id AND w.workspace_id = d.workspace_id
JOIN webhook_events e ON e.id = d.event_id AND e.workspace_id = d.workspace_id
WHERE d.id = %(id)s
FOR UPDATE OF d SKIP LOCKED
"""

INSERT_ATTEMPT = """
INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error)
VALUES (%(delivery_id)s, %(attempt)s, %(status_code)s, %(error)s)
"""

UPDATE_DELIVERY = """
UPDATE webhook_deliveries
SET attempts = %(attempt)s, status = %(status)s,
    finished_at = CASE WHEN %(status)s = 'pending' THEN NULL ELSE clock_timestamp() END
WHERE id = %(id)s
"""

# Deliveries whose job was lost (a crash between the producer's commit and its enqueue): the
# sweep enqueues them again; the row lock and status make a repeat harmless.
SELECT_STALE_PENDING = """
SELECT id FROM webhook_deliveries
WHERE status = 'pending' AND created_at < clock_timestamp() - make_interval(secs => %(older_than)s)
ORDER BY created_at
LIMIT 500
"""
