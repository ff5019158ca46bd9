"""The v2 run shape (the SDK's generated `langsmith.types.Run`) over the v1 run reads.

A v2 select (`TOTAL_TOKENS`) names the v1 fields it is computed from (`total_tokens`); pages are
read by runs/listing (the one filter compiler and keyset pagination) and reshaped here. A v2 run
carries `id` and exactly the selected fields, under the select's lower-cased name."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request

from app.backend.runs import listing
from app.backend.v2.schemas import RunsQuery
from app.core.errors import BadRequest
from app.core.previews import preview

_DETAILS = ("PROMPT_TOKEN_DETAILS", "COMPLETION_TOKEN_DETAILS", "PROMPT_COST_DETAILS", "COMPLETION_COST_DETAILS")
_PLAIN = (
    "NAME", "RUN_TYPE", "START_TIME", "END_TIME", "FIRST_TOKEN_TIME", "ERROR", "EXTRA", "EVENTS", "INPUTS",
    "OUTPUTS", "PARENT_RUN_IDS", "PARENT_RUN_ID", "TRACE_ID", "THREAD_ID", "DOTTED_ORDER", "REFERENCE_EXAMPLE_ID",
    "TOTAL_TOKENS", "PROMPT_TOKENS", "COMPLETION_TOKENS", "TOTAL_COST", "PROMPT_COST", "COMPLETION_COST", "TAGS",
    "APP_PATH", "FEEDBACK_STATS",
)  # fmt: skip
# v2 select -> the v1 fields it is computed from. Fields with no source here (nothing records them)
# are answered as null: the SDK's model has every field optional.
SOURCES: dict[str, tuple[str, ...]] = {
    "ID": ("id",),
    **{s: (s.lower(),) for s in (*_PLAIN, *_DETAILS)},
    "STATUS": ("status",),
    "LATENCY_SECONDS": ("latency",),
    "ERROR_PREVIEW": ("error",),
    "METADATA": ("extra",),
    "INPUTS_PREVIEW": ("inputs",),
    "OUTPUTS_PREVIEW": ("outputs",),
    "MANIFEST": ("serialized",),
    "PROJECT_ID": ("session_id",),
    "IS_ROOT": ("parent_run_id",),
    "ATTACHMENTS": ("s3_urls",),
    **{s: () for s in ("REFERENCE_DATASET_ID", "PRICE_MODEL_ID", "THREAD_EVALUATION_TIME", "IS_IN_DATASET")},
    **{s: () for s in ("LAST_QUEUED_AT", "SHARE_URL", "LS_USER_ID")},
}
# A public share answers no more than the v1 public reads: no attachment links, no feedback.
PUBLIC_HIDDEN = {"ATTACHMENTS", "FEEDBACK_STATS"}


def check_selects(selects: Iterable[str] | None, *, hidden: Iterable[str] = ()) -> list[str]:
    """The selects (always with ID), or 400 naming the unknown ones."""
    chosen = list(dict.fromkeys(["ID", *(selects or ())]))
    unknown = [s for s in chosen if s not in SOURCES or s in hidden]
    if unknown:
        raise BadRequest(f"unknown select field(s): {', '.join(unknown)}")
    return chosen


def v1_select(selects: list[str], *extra: str) -> list[str]:
    """The v1 `select` that reads what these v2 selects need."""
    return list(dict.fromkeys([f for s in selects for f in SOURCES[s]] + list(extra)))


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def origin_of(request: Request[Any, Any, Any]) -> str:
    """The origin the caller used: v2 attachment links are absolute (the SDK's v2 client fetches
    them as they are, where v1 callers join the relative links onto their API URL)."""
    return str(request.base_url).rstrip("/")


def absolute(url: str, origin: str) -> str:
    return origin + url if url.startswith("/") else url


def aware(value: Any) -> Any:
    """v2 answers times with their offset (its client compares them with the aware times it sent),
    where the v1 run reads answer naive UTC as LangSmith's v1 does."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _value(select: str, run: dict[str, Any], origin: str) -> Any:
    sources = SOURCES[select]
    if not sources:
        return None
    value = run[sources[0]]
    if select == "STATUS":
        return str(value).upper()
    if select in ("ERROR_PREVIEW", "INPUTS_PREVIEW", "OUTPUTS_PREVIEW"):
        return preview(value, user=select == "INPUTS_PREVIEW") if value else None
    if select == "METADATA":
        return (value or {}).get("metadata")
    if select == "IS_ROOT":
        return value is None
    if select in _DETAILS:
        return {"raw": {k: _number(v) for k, v in value.items()}} if value else None
    if select == "ATTACHMENTS":
        return {
            name.removeprefix("attachment."): absolute(url["presigned_url"], origin)
            for name, url in (value or {}).items()
        }
    if select in ("START_TIME", "END_TIME", "FIRST_TOKEN_TIME"):
        return aware(value)
    return _number(value)


def v2_run(run: dict[str, Any], selects: list[str], origin: str = "") -> dict[str, Any]:
    """A v1 run object (read with v1_select(selects)) -> the v2 run with exactly `selects`;
    `origin` (origin_of the request) makes attachment links absolute."""
    return {s.lower(): _value(s, run, origin) for s in selects}


def window(
    since: dt.datetime | None, until: dt.datetime | None, *, default_days: int | None = 1
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The start_time window of a v2 query: LangSmith's default is the last day."""
    if since is None and default_days is not None:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=default_days)
    if since is not None and until is not None and since > until:
        raise BadRequest("min_start_time is after max_start_time")
    return since, until


def unsupported(**fields: Any) -> None:
    """400 naming the first request field that is set but not served here (AI and semantic search,
    feedback-time windows, ...): a silently ignored filter would answer the wrong runs."""
    for name, value in fields.items():
        if value is not None:
            raise BadRequest(f"{name} is not supported by this server")


def page_size(value: int, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise BadRequest(f"page_size must be between 1 and {maximum}")
    return value


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode({"offset": offset})).decode()


def decode_offset(cursor: str | None) -> int:
    """The position an offset cursor (encode_offset) stands for; 0 for the first page."""
    if not cursor:
        return 0
    try:
        offset = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()))["offset"]
    except (ValueError, TypeError, KeyError, msgspec.DecodeError):
        offset = None
    if not isinstance(offset, int) or offset < 0:
        raise BadRequest("invalid cursor; pass back the `next_cursor` of the previous page")
    return offset


def check_query(body: RunsQuery) -> None:
    """400 on what a v2 runs query asks that is not served, or on neither/both of its scopes."""
    unsupported(
        ai_search=body.ai_search,
        sem_filter=body.sem_filter,
        min_feedback_modified_at=body.min_feedback_modified_at,
        max_feedback_modified_at=body.max_feedback_modified_at,
    )
    if (body.project_ids is None) == (body.reference_dataset_id is None):
        raise BadRequest("set exactly one of project_ids (tracing project ids) and reference_dataset_id")
    if body.project_ids == []:
        raise BadRequest("project_ids must not be empty")


def v1_query(
    body: RunsQuery, selects: list[str], projects: list[uuid.UUID], earliest: dt.datetime | None = None
) -> listing.RunsQuery:
    """The v1 runs query a v2 one (checked by check_query) stands for, over these projects;
    `earliest` replaces the default window's start (a dataset's first experiment)."""
    since, until = window(body.min_start_time or earliest, body.max_start_time)
    return listing.RunsQuery(
        session=projects,
        id=body.ids,
        trace=body.trace_id,
        run_type=body.run_type,
        reference_example=body.reference_examples,
        is_root=body.is_root,
        error=body.has_error,
        start_time=since,
        end_time=until,
        filter=body.filter,
        trace_filter=body.trace_filter,
        tree_filter=body.tree_filter,
        select=v1_select(selects),
        limit=page_size(body.page_size, listing.MAX_LIMIT),
        cursor=body.cursor,
    )
