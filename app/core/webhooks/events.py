"""Raising an event for some of a workspace's webhooks, inside the producer's own transaction
(so the event exists exactly when the change that caused it does). The producer then hands the
answer to `delivery.enqueue` after its commit; a lost enqueue is swept up by the alert evaluation.

Alert rules use it today; any other producer (automation rules, storage warnings) does the same:

    with conn.transaction():
        ...  # the producer's own change
        deliveries = record_event(conn, event_id=..., workspace_id=..., event_type="x.y",
                                  payload={"summary": "...", ...}, webhook_ids=[...])
    delivery.enqueue(default_queue, deliveries)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from app.core.webhooks import queries as q


def record_event(
    conn: psycopg.Connection[Any],
    *,
    event_id: uuid.UUID,
    workspace_id: uuid.UUID,
    event_type: str,
    payload: dict[str, Any],
    webhook_ids: Sequence[uuid.UUID],
) -> list[uuid.UUID]:
    """Store the event and one delivery per enabled webhook among `webhook_ids` (the workspace's
    only); the answer is the new deliveries' ids. Recording the same event id again adds nothing."""
    params = {"id": event_id, "workspace_id": workspace_id, "event_type": event_type, "payload": Jsonb(payload)}
    conn.execute(q.INSERT_EVENT_ONCE, params)
    # Tuple rows whatever the connection's row factory: only the id is read.
    with conn.cursor(row_factory=tuple_row) as cursor:
        cursor.execute(
            q.INSERT_DELIVERIES, {"event_id": event_id, "workspace_id": workspace_id, "webhook_ids": list(webhook_ids)}
        )
        return [row[0] for row in cursor.fetchall()]
