"""Wire schemas for /api/v1/api-key."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec

from app.core.tenancy.service import ApiKeyRow


class ApiKeyCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # LangSmith's UI calls it `description`; `name` reads better. Either is accepted.
    name: str | None = None
    description: str | None = None
    expires_at: dt.datetime | None = None
    role: Literal["admin", "editor", "viewer"] = "editor"

    def __post_init__(self) -> None:
        label = (self.name or self.description or "").strip()
        if len(label) > 200:
            raise ValueError("name must be at most 200 characters")
        self.name = label or "api key"
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            self.expires_at = self.expires_at.replace(tzinfo=dt.UTC)  # naive means UTC (wire §0)


class ApiKey(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    short_key: str  # `th_<prefix>_…`: enough to recognise a key, useless to an attacker
    role: str  # for a personal token: "member" (it acts with its user's current role)
    kind: Literal["service", "personal"]
    user_id: uuid.UUID | None
    created_by: uuid.UUID | None
    workspace_id: uuid.UUID | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None


class ApiKeyCreated(ApiKey, kw_only=True):
    key: str  # the only time the full key is ever returned


def api_key_from_row(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        short_key=f"th_{row.prefix}_…",
        role="member" if row.user_id else row.role,
        kind="personal" if row.user_id else "service",
        user_id=row.user_id,
        created_by=row.created_by,
        workspace_id=row.workspace_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )
