"""Wire schema of a run as the SDK reads it (`schemas.Run`, wire §3.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, overload

import msgspec

from app.backend.runs.queries import RUN_READ_COLUMNS
from app.backend.runs.usage import priced_details, usage_details


class AttachmentUrl(msgspec.Struct):
    presigned_url: str
    mime_type: str


class Run(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    run_type: str
    start_time: dt.datetime
    end_time: dt.datetime | None
    trace_id: uuid.UUID
    dotted_order: str
    parent_run_id: uuid.UUID | None
    parent_run_ids: list[uuid.UUID]
    session_id: uuid.UUID
    status: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    error: str | None
    extra: dict[str, Any] | None
    events: list[Any] | None
    serialized: dict[str, Any] | None
    tags: list[str]
    reference_example_id: uuid.UUID | None
    first_token_time: dt.datetime | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_cost: Decimal | None
    completion_cost: Decimal | None
    total_cost: Decimal | None
    prompt_token_details: dict[str, int] | None
    completion_token_details: dict[str, int] | None
    prompt_cost_details: dict[str, float] | None
    completion_cost_details: dict[str, float] | None
    s3_urls: dict[str, AttachmentUrl]
    # Left out of the body when unset: read_run sets it, a public share's read does not.
    feedback_stats: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET


RUN_TIME_FIELDS = frozenset({"start_time", "end_time", "first_token_time"})


@overload
def naive_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def naive_utc(value: dt.datetime | None) -> dt.datetime | None: ...
def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A run time as LangSmith answers it: UTC without an offset (`2026-12-05T22:57:33.178802`),
    so the SDK parses back the same naive value it sent (`datetime.now(UTC)` stripped of its
    zone). Clients reading these must take an offset-less time as UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def json_column(text: str | None, default: Any) -> Any:
    """A JSON text column as stored in ClickHouse → its value (`default` if empty or unreadable)."""
    if not text:
        return default
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return default


def run_from_row(values: tuple[Any, ...], s3_urls: dict[str, AttachmentUrl]) -> Run:
    r = dict(zip(RUN_READ_COLUMNS, values, strict=True))
    parents = [uuid.UUID(seg[-36:]) for seg in r["dotted_order"].split(".")[:-1]]
    outputs, extra = json_column(r["outputs"], None), json_column(r["extra"], None)
    details = usage_details(outputs, extra)
    return Run(
        id=r["id"],
        name=r["name"],
        run_type=r["run_type"],
        start_time=naive_utc(r["start_time"]),
        end_time=naive_utc(r["end_time"]),
        trace_id=r["trace_id"],
        dotted_order=r["dotted_order"],
        parent_run_id=r["parent_run_id"],
        parent_run_ids=parents,
        session_id=r["project_id"],
        status=r["status"],
        inputs=json_column(r["inputs"], {}),
        outputs=outputs,
        error=r["error"],
        extra=extra,
        events=json_column(r["events"], None),
        serialized=json_column(r["serialized"], None),
        tags=list(r["tags"]),
        reference_example_id=r["reference_example_id"],
        first_token_time=naive_utc(r["first_token_time"]),
        prompt_tokens=r["prompt_tokens"],
        completion_tokens=r["completion_tokens"],
        total_tokens=r["total_tokens"],
        prompt_cost=r["prompt_cost"],
        completion_cost=r["completion_cost"],
        total_cost=r["total_cost"],
        prompt_token_details=details["prompt_token_details"],
        completion_token_details=details["completion_token_details"],
        prompt_cost_details=details["prompt_cost_details"] or priced_details(r["prompt_cost_details"]),
        completion_cost_details=details["completion_cost_details"] or priced_details(r["completion_cost_details"]),
        s3_urls=s3_urls,
    )
