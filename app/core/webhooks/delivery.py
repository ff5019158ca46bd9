"""What goes over the wire for one delivery (body and headers per format), and how deliveries are
handed to the queue.

Events are generic: a type (`alert.firing`, `alert.resolved`, `webhook.test`, ...) and a JSON
payload. A payload may carry `summary` (one line for people), which the Slack format shows.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

import msgspec
from rq import Queue, Retry

from app.core.webhooks.signing import HEADER, signature

FORMATS = ("json", "slack")
DELIVER_JOB = "worker.alerts.deliver.deliver"
# Attempts of one delivery: the first plus retries after these waits (seconds), then it is failed.
RETRY_WAITS = [2, 10, 60, 300, 1800]
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
USER_AGENT = "Tracehouse-Webhooks/1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def hint(secret: str) -> str:
    """Enough to tell secrets apart, not enough to sign."""
    return "..." + secret[-4:]


def body(fmt: str, event_id: uuid.UUID, event_type: str, created_at: dt.datetime, payload: dict[str, Any]) -> bytes:
    if fmt == "slack":
        summary = str(payload.get("summary") or event_type)
        return msgspec.json.encode(
            {
                "text": summary,
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": summary}},
                    {
                        "type": "context",
                        "elements": [{"type": "mrkdwn", "text": f"`{event_type}` · event {event_id}"}],
                    },
                ],
            }
        )
    return msgspec.json.encode(
        {"id": str(event_id), "type": event_type, "created_at": created_at.isoformat(), "data": payload}
    )


def headers(
    secret: str, *, event_id: uuid.UUID, event_type: str, delivery_id: uuid.UUID, content: bytes, now: int
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        HEADER: signature(secret, now, content),
        "X-Tracehouse-Event-Id": str(event_id),
        "X-Tracehouse-Event": event_type,
        "X-Tracehouse-Delivery": str(delivery_id),
    }


def enqueue(queue: Queue, delivery_ids: Iterable[uuid.UUID | str]) -> None:
    """One rq job per delivery, with a fixed job id so a sweep does not queue a second copy while
    the first waits; rq's retries (RETRY_WAITS) carry the attempts after the first."""
    for delivery_id in delivery_ids:
        queue.enqueue_call(
            DELIVER_JOB,
            args=(str(delivery_id),),
            job_id=f"webhook-{delivery_id}",
            retry=Retry(max=len(RETRY_WAITS), interval=RETRY_WAITS),
            result_ttl=0,
            failure_ttl=86400,
        )
