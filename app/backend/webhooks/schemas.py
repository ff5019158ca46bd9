"""Wire schemas for /api/v1/webhooks. The secret is write-only: answers carry a hint of it, and the
one generated for a webhook created without one is answered once, at creation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

from app.core.webhooks.delivery import hint

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
Format = Literal["json", "slack"]


class WebhookCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    url: Url
    secret: Secret | None = None
    format: Format = "json"
    enabled: bool = True
    # Also send the installation's disk-budget warnings (STORAGE_BUDGET) here.
    storage_events: bool = False


class WebhookUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name | None = None
    url: Url | None = None
    secret: Secret | None = None
    format: Format | None = None
    enabled: bool | None = None
    storage_events: bool | None = None


class Webhook(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: uuid.UUID
    name: str
    url: str
    format: str
    enabled: bool
    storage_events: bool
    secret_hint: str
    created_at: dt.datetime
    modified_at: dt.datetime
    # Only in the answer to a create that named no secret: the one time it is shown.
    secret: str | None = None


class TestSent(msgspec.Struct, kw_only=True):
    event_id: uuid.UUID
    delivery_id: uuid.UUID


class Attempt(msgspec.Struct, kw_only=True):
    attempt: int
    status_code: int | None
    error: str | None
    attempted_at: str


class Delivery(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str  # pending, delivered, failed
    attempts: list[Attempt]
    created_at: dt.datetime
    finished_at: dt.datetime | None


def webhook_from_row(row: dict[str, Any], *, secret: str | None = None) -> Webhook:
    return Webhook(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        format=row["format"],
        enabled=row["enabled"],
        storage_events=row["storage_events"],
        secret_hint=hint(row["secret"]),
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        secret=secret,
    )


def delivery_from_row(row: dict[str, Any]) -> Delivery:
    return Delivery(
        id=row["id"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        status=row["status"],
        attempts=[msgspec.convert(a, Attempt) for a in row["attempt_log"]],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )
