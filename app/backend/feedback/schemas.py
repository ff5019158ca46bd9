"""Wire schemas for /api/v1/feedback (wire §5) and the one mapping from ClickHouse rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from app.core.tables import FEEDBACK_COLUMNS


class FeedbackCreate(msgspec.Struct, kw_only=True):
    key: str
    id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    trace_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    score: float | bool | None = None
    value: Any = None
    comment: str | None = None
    correction: Any = None
    feedback_source: dict[str, Any] | None = None
    feedback_config: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None
    comparative_experiment_id: uuid.UUID | None = None
    feedback_group_id: uuid.UUID | None = None
    start_time: dt.datetime | None = None
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > 512:
            raise ValueError("key must be 1 to 512 characters")


class Feedback(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    created_at: dt.datetime
    modified_at: dt.datetime
    key: str
    run_id: uuid.UUID | None
    trace_id: uuid.UUID | None
    session_id: uuid.UUID | None
    score: float | None
    value: Any
    comment: str | None
    correction: Any
    feedback_source: dict[str, Any] | None
    feedback_config: dict[str, Any] | None
    extra: dict[str, Any] | None
    comparative_experiment_id: uuid.UUID | None
    feedback_group_id: uuid.UUID | None
    start_time: dt.datetime | None


def _json(text: str) -> Any:
    return msgspec.json.decode(text) if text else None


def text(value: Any) -> str:
    return "" if value is None else msgspec.json.encode(value).decode()


def row_dict(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(FEEDBACK_COLUMNS, values, strict=True))


def feedback_from_row(r: dict[str, Any]) -> Feedback:
    return Feedback(
        id=r["id"],
        created_at=r["created_at"],
        modified_at=r["modified_at"],
        key=r["key"],
        run_id=r["run_id"],
        trace_id=r["trace_id"],
        session_id=r["project_id"],
        score=r["score"],
        value=_json(r["value"]),
        comment=r["comment"],
        correction=_json(r["correction"]),
        feedback_source=_json(r["feedback_source"]),
        feedback_config=_json(r["feedback_config"]),
        extra=_json(r["extra"]),
        comparative_experiment_id=r["comparative_experiment_id"],
        feedback_group_id=r["feedback_group_id"],
        start_time=r["start_time"],
    )
