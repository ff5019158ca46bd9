"""Wire schemas for /api/v1/feedback-configs, shaped like the SDK's FeedbackConfigSchema."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class FeedbackConfigCreate(msgspec.Struct, kw_only=True):
    feedback_key: str
    feedback_config: dict[str, Any]
    is_lower_score_better: bool | None = None
    is_enforced: bool = False


class FeedbackConfigUpdate(msgspec.Struct, kw_only=True):
    feedback_key: str
    id: uuid.UUID | None = None
    feedback_config: dict[str, Any] | None = None
    is_lower_score_better: bool | None = None
    add_categories: list[dict[str, Any]] | None = None
    remove_categories: list[float] | None = None


class FeedbackConfig(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    feedback_key: str
    feedback_config: dict[str, Any]
    tenant_id: uuid.UUID
    modified_at: dt.datetime
    is_lower_score_better: bool
    is_enforced: bool
    # One live config per key here, so the live one is its key's first (feedback that names no
    # config was written against it); deleted ones are listed only with include_all_configs.
    is_first: bool
    is_deleted: bool


def config_from_row(row: dict[str, Any]) -> FeedbackConfig:
    return FeedbackConfig(
        id=row["id"],
        feedback_key=row["feedback_key"],
        feedback_config=row["feedback_config"],
        tenant_id=row["workspace_id"],
        modified_at=row["modified_at"],
        is_lower_score_better=row["is_lower_score_better"],
        is_enforced=row["is_enforced"],
        is_first=not row["is_deleted"],
        is_deleted=row["is_deleted"],
    )
