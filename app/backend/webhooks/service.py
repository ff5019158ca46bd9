"""Webhooks: the URL check at save (the egress policy, as the queue applies it again at send) and
raising an event for some of a workspace's webhooks."""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
import httpx
from psycopg.types.json import Jsonb
from rq import Queue

from app.core.egress import Egress
from app.core.errors import NotFound, TracehouseError, Unprocessable
from app.core.postgres import Postgres
from app.core.webhooks import delivery as wire
from app.core.webhooks import queries as wq


async def check_url(egress: Egress, url: str) -> str:
    """The URL as stored, or 422 saying why it may not be called. Resolved now; the queue checks
    it again at every send, since what a name resolves to can change."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        raise Unprocessable("url is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Unprocessable("url must be an http:// or https:// URL with a host")
    if parsed.userinfo:
        raise Unprocessable("url must not contain credentials; use the webhook's secret to authenticate")
    try:
        await egress.check(parsed)
    except TracehouseError as exc:
        raise Unprocessable(f"url refused by the egress policy: {exc.detail}") from None
    return str(parsed)


async def send_test(postgres: Postgres, queue: Queue, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> dict[str, Any]:
    """A `webhook.test` event delivered to this webhook only (enabled or not); 404 when the
    workspace has no such webhook."""
    event_id, delivery_id = uuid.uuid4(), uuid.uuid4()
    payload = {"summary": "Test event from Tracehouse: this webhook is reachable.", "webhook_id": str(webhook_id)}
    async with postgres.transaction() as conn:
        await conn.execute(
            wq.INSERT_EVENT,
            {"id": event_id, "workspace_id": workspace_id, "event_type": "webhook.test", "payload": Jsonb(payload)},
        )
        params = {"id": delivery_id, "workspace_id": workspace_id, "webhook_id": webhook_id, "event_id": event_id}
        row = await (await conn.execute(wq.INSERT_DELIVERY, params)).fetchone()
        if row is None:  # raised inside the transaction: the event is not kept either
            raise NotFound("webhook not found")
    await anyio.to_thread.run_sync(lambda: wire.enqueue(queue, [delivery_id]))
    return {"event_id": event_id, "delivery_id": delivery_id}
