"""rq job: send one webhook delivery, log the attempt, and let rq retry what may succeed later.

Exactly once per delivery: the job holds the delivery's row lock while it sends and only sends a
`pending` delivery, so an overlapping second job (a sweep, a retry) skips it, and a delivered one
is never sent again. What a receiver sees twice is only a delivery whose answer was lost after it
arrived; the event id in the headers is there to drop that one.

Retried: connection errors, timeouts, 408, 429 and 5xx. Not retried: other 4xx (the receiver
refuses this request and will again) and URLs the egress policy refuses (checked again at every
send, since DNS can change after the webhook was saved).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from app.core.egress import Egress, EgressTransport
from app.core.errors import TracehouseError
from app.core.webhooks import delivery as wire
from app.core.webhooks import queries as q
from worker.context import context

log = logging.getLogger("tracehouse.queue")

RETRIED_STATUS = {408, 429}


class DeliveryFailed(Exception):
    """Raised for rq to retry the job (its Retry policy holds the waits)."""


async def _post(egress: Egress, timeout: float, url: str, content: bytes, headers: dict[str, str]) -> int:
    transport = EgressTransport(egress, limits=httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False) as client:
        response = await client.post(url, content=content, headers=headers)
        return response.status_code


def send(row: dict[str, Any], egress: Egress, timeout: float) -> tuple[int | None, str | None, bool]:
    """(status code, error, worth retrying) of one attempt."""
    content = wire.body(row["format"], row["event_id"], row["event_type"], row["event_created_at"], row["payload"])
    headers = wire.headers(
        row["secret"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        delivery_id=row["id"],
        content=content,
        now=int(time.time()),
    )
    try:
        status = asyncio.run(_post(egress, timeout, row["url"], content, headers))
    except TracehouseError as exc:  # the egress policy refused the URL
        return None, f"refused: {exc.detail}", False
    except httpx.TimeoutException:
        return None, "timed out", True
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500], True
    if 200 <= status < 300:
        return status, None, False
    return status, f"answered {status}", status >= 500 or status in RETRIED_STATUS


def deliver(delivery_id: str) -> None:
    ctx = context()
    settings = ctx.settings.alerts
    egress = Egress(settings.playground_allowed_hosts)
    retry = False
    with psycopg.connect(ctx.settings.postgres.postgres_dsn, row_factory=dict_row, connect_timeout=5) as conn:
        with conn.transaction():
            row = conn.execute(q.SELECT_DELIVERY_FOR_SEND, {"id": uuid.UUID(delivery_id)}).fetchone()
            if row is None or row["status"] != "pending":
                return  # another job holds it, or it is done
            attempt = row["attempts"] + 1
            status_code, error, retryable = send(row, egress, settings.webhook_timeout_seconds)
            if error is None:
                state = "delivered"
            elif retryable and attempt < wire.MAX_ATTEMPTS:
                state, retry = "pending", True
            else:
                state = "failed"
            conn.execute(
                q.INSERT_ATTEMPT,
                {"delivery_id": row["id"], "attempt": attempt, "status_code": status_code, "error": error},
            )
            conn.execute(q.UPDATE_DELIVERY, {"id": row["id"], "attempt": attempt, "status": state})
    if error is not None:
        log.warning("webhook delivery %s attempt %d: %s", delivery_id, attempt, error)
    if retry:
        raise DeliveryFailed(f"delivery {delivery_id} attempt {attempt}: {error}")
