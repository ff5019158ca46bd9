"""POST /api/v1/runs/query: the SDK's list_runs (wire §3.2), compiled to one ClickHouse query.

Keyset pagination on (start_time, id), or on (the `sort_by` value, id): the cursor is the last
row's position, so page N costs the same as page 1. Heavy columns are read only when `select`
asks for them; previews (`inputs_preview`, `outputs_preview`, `error_preview`) are read from the
small columns the worker fills at ingest; only a row written before those existed (NULL) has them
computed from its payloads, read for its id alone (runs/service.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any, Literal

import msgspec

from app.backend.query.compiler import compile_filter
from app.backend.query.parser import FilterError, parse
from app.backend.runs import queries as q
from app.backend.runs.schemas import RUN_TIME_FIELDS, json_column, naive_utc
from app.backend.runs.usage import DETAIL_FIELDS, DETAIL_OF, PRICED_DETAILS, priced_details, usage_details
from app.core.errors import BadRequest
from app.core.tables import RUN_COLUMNS

DEFAULT_SELECT = (
    "app_path", "completion_cost", "completion_tokens", "dotted_order", "end_time", "error", "events", "extra",
    "feedback_stats", "first_token_time", "id", "inputs", "name", "outputs", "parent_run_id", "parent_run_ids",
    "prompt_cost", "prompt_tokens", "reference_example_id", "run_type", "s3_urls", "session_id", "start_time",
    "status", "tags", "total_cost", "total_tokens", "trace_id",
)  # fmt: skip
ALWAYS = ("id", "name", "run_type", "start_time", "trace_id", "dotted_order")
# The runs table's columns by name (app/core/tables.py is the one list): a name it lacks is a
# KeyError at import, not a failing query.
_RUNS = {c: c for c in RUN_COLUMNS}
# select field -> runs column (None: derived in Python or not stored)
COLUMNS: dict[str, str | None] = {
    "id": _RUNS["id"], "name": _RUNS["name"], "run_type": _RUNS["run_type"], "start_time": _RUNS["start_time"],
    "end_time": _RUNS["end_time"], "trace_id": _RUNS["trace_id"], "dotted_order": _RUNS["dotted_order"],
    "parent_run_id": _RUNS["parent_run_id"], "parent_run_ids": _RUNS["dotted_order"],
    "session_id": _RUNS["project_id"], "status": _RUNS["status"], "error": _RUNS["error"],
    "inputs": _RUNS["inputs"], "outputs": _RUNS["outputs"], "extra": _RUNS["extra"], "events": _RUNS["events"],
    "serialized": _RUNS["serialized"], "tags": _RUNS["tags"], "reference_example_id": _RUNS["reference_example_id"],
    "first_token_time": _RUNS["first_token_time"], "prompt_tokens": _RUNS["prompt_tokens"],
    "completion_tokens": _RUNS["completion_tokens"], "total_tokens": _RUNS["total_tokens"],
    "prompt_cost": _RUNS["prompt_cost"], "completion_cost": _RUNS["completion_cost"],
    "total_cost": _RUNS["total_cost"], "thread_id": _RUNS["thread_id"], "latency": _RUNS["latency_seconds"],
    "s3_urls": _RUNS["attachments"], "app_path": None, "feedback_stats": None, "in_dataset": None,
    "manifest_id": None, **{field: _RUNS["outputs"] for field in DETAIL_FIELDS},
    **{field: _RUNS[field] for field in ("inputs_preview", "outputs_preview", "error_preview")},
}  # fmt: skip
# Preview field -> the payload column it is computed from when its stored column is NULL (a row
# written before previews were stored; for those rows' ids only, afterwards).
PREVIEW_FIELDS = {
    "inputs_preview": _RUNS["inputs"],
    "outputs_preview": _RUNS["outputs"],
    "error_preview": _RUNS["error"],
}
# A Tracehouse extension of /runs/query (LangSmith's v1 list_runs orders by start time only): the
# orders the runs table offers by clicking a header. Each is keyset-paged on (value, id).
SORTS = tuple(q.SORT_VALUES)
# Fields read from more than their COLUMNS column: a run's token breakdowns come from the
# usage_metadata in its outputs or else its metadata (runs/usage.py).
ALSO_READS: dict[str, tuple[str, ...]] = {field: (_RUNS["extra"],) for field in DETAIL_FIELDS}
# ... and a cost breakdown the writer priced, from its own column when the run sent none.
for _field in PRICED_DETAILS:
    ALSO_READS[_field] = (_RUNS["extra"], _RUNS[_field])
JSON_FIELDS = {"inputs", "outputs", "extra", "events", "serialized"}
MAX_LIMIT = 1000
SORT_VALUE = "sort_value"  # the sorted-on value's column in a sorted page's rows (for its cursor)


class RunsQuery(msgspec.Struct, kw_only=True):
    session: list[uuid.UUID] | None = None
    id: list[uuid.UUID] | None = None
    trace: uuid.UUID | None = None
    parent_run: uuid.UUID | None = None
    run_type: str | None = None
    reference_example: list[uuid.UUID] | None = None
    is_root: bool | None = None
    # Older SDK callers (and upstream tests) ask for root runs as `execution_order=1`; list_runs
    # passes it through **kwargs as a body key. LangSmith accepts only 1, meaning is_root.
    execution_order: int | None = None
    error: bool | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    query: str | None = None
    filter: str | None = None
    trace_filter: str | None = None
    tree_filter: str | None = None
    select: list[str] | None = None
    limit: int = 100
    cursor: str | None = None
    order: Literal["asc", "desc"] = "desc"
    sort_by: str = "start_time"  # Tracehouse extension: one of SORTS
    data_source_type: str | None = None  # sent by get_run_stats; there is one data source here


def _filter(text: str, workspace_id: str, prefix: str, what: str) -> tuple[str, dict[str, Any]]:
    try:
        compiled = compile_filter(parse(text), workspace_id, prefix=prefix)
    except FilterError as exc:
        raise BadRequest(f"invalid {what}: {exc}") from None
    return compiled.sql, compiled.params


def build_where(body: RunsQuery, workspace_id: str) -> tuple[list[str], dict[str, Any]]:
    where = ["workspace_id = %(workspace_id)s"]
    params: dict[str, Any] = {"workspace_id": workspace_id}

    def add(clause: str, **values: Any) -> None:
        where.append(clause)
        params.update(values)

    if body.session:
        add("project_id IN %(sessions)s", sessions=tuple(str(s) for s in body.session))
    if body.id:
        add("id IN %(ids)s", ids=tuple(str(i) for i in body.id))
    if body.trace:
        add("trace_id = %(trace)s", trace=str(body.trace))
    if body.parent_run:
        add("parent_run_id = %(parent_run)s", parent_run=str(body.parent_run))
    if body.run_type:
        add("run_type = %(run_type)s", run_type=body.run_type)
    if body.reference_example:
        add("reference_example_id IN %(examples)s", examples=tuple(str(e) for e in body.reference_example))
    if body.is_root is not None:
        where.append("parent_run_id IS NULL" if body.is_root else "parent_run_id IS NOT NULL")
    if body.execution_order is not None:
        if body.execution_order != 1:
            raise BadRequest("execution_order must be 1 (root runs); use parent_run or trace for others")
        where.append("parent_run_id IS NULL")
    if body.error is not None:
        where.append("status = 'error'" if body.error else "status != 'error'")
    if body.start_time:
        add("start_time >= %(since)s", since=body.start_time)
    if body.end_time:
        add("start_time <= %(until)s", until=body.end_time)
    if body.query:
        add("(positionCaseInsensitive(inputs, %(q)s) > 0 OR positionCaseInsensitive(outputs, %(q)s) > 0)", q=body.query)
    if body.filter:
        sql, values = _filter(body.filter, workspace_id, "f", "filter")
        add(sql, **values)
    if body.trace_filter:
        sql, values = _filter(body.trace_filter, workspace_id, "tf", "trace_filter")
        add(q.IN_TRACES_WITH_ROOT.format(condition=sql), **values)
    if body.tree_filter:
        sql, values = _filter(body.tree_filter, workspace_id, "rf", "tree_filter")
        add(q.IN_TRACES_WITH_RUN.format(condition=sql), **values)
    return where, params


def encode_cursor(start: dt.datetime, run_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([start.isoformat(), str(run_id)])).decode()


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        start, run_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()))
        return dt.datetime.fromisoformat(start), str(uuid.UUID(run_id))
    except (ValueError, TypeError, AttributeError, msgspec.DecodeError):
        raise BadRequest("invalid cursor; pass back the `cursors.next` value of the previous page") from None


def encode_sort_cursor(sort_by: str, value: Any, run_id: Any) -> str:
    """The position of a page's last row in a `sort_by` order (the sort named, so a cursor is never
    read as another order's)."""
    return base64.urlsafe_b64encode(msgspec.json.encode([sort_by, value, str(run_id)])).decode()


def decode_sort_cursor(cursor: str, sort_by: str) -> tuple[Any, str]:
    try:
        named, value, run_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()))
        run_id = str(uuid.UUID(run_id))
    except (ValueError, TypeError, AttributeError, msgspec.DecodeError):
        named, value, run_id = None, None, ""
    wanted = str if sort_by == "name" else (int, float)
    if named != sort_by or isinstance(value, bool) or not isinstance(value, wanted):
        raise BadRequest(
            f"invalid cursor for sort_by={sort_by}; pass back the `cursors.next` value of the previous page"
        ) from None
    return value, run_id


def check_page(body: RunsQuery) -> None:
    """The page size and order asked for are ones we serve (else a 400 saying which)."""
    if not 1 <= body.limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    if body.sort_by not in q.SORT_VALUES:
        raise BadRequest(f"sort_by must be one of {', '.join(SORTS)}")


def sorts_by_trace_usage(body: RunsQuery) -> bool:
    """Root runs sorted by tokens or cost are sorted by their trace's totals, the figures the table
    shows for them (usage is recorded on the LLM runs deep inside a trace, not on its root)."""
    roots_only = body.is_root is True or body.execution_order == 1
    return roots_only and body.sort_by in q.TRACE_SORT_VALUES


def build_query(body: RunsQuery, workspace_id: str) -> tuple[str, dict[str, Any], list[str], list[str]]:
    """(sql, params, the columns it returns in order, the fields the caller selected)."""
    check_page(body)
    selected = list(dict.fromkeys([*ALWAYS, *(body.select or DEFAULT_SELECT)]))
    selected += implied_details(selected)
    unknown = [s for s in selected if s not in COLUMNS]
    if unknown:
        raise BadRequest(f"unknown select field(s): {', '.join(unknown)}")
    columns = list(dict.fromkeys(c for s in selected for c in (COLUMNS[s], *ALSO_READS.get(s, ())) if c))
    if _RUNS["attachments"] not in columns:
        # Attachment names are read always: a run that has attachments lists them even when
        # s3_urls is not selected (older SDKs' default select lacks it, and LangSmith answers them).
        columns.append(_RUNS["attachments"])
    where, params = build_where(body, workspace_id)
    comparison = "<" if body.order == "desc" else ">"
    direction = "DESC" if body.order == "desc" else "ASC"
    names = list(columns)
    if body.sort_by == "start_time":
        if body.cursor:
            start, run_id = decode_cursor(body.cursor)
            where.append(f"(start_time, id) {comparison} (%(cursor_start)s, %(cursor_id)s)")
            params.update(cursor_start=start, cursor_id=run_id)
        sql = q.RUNS_PAGE.format(columns=", ".join(columns), where=" AND ".join(where), direction=direction)
    else:
        value = q.SORT_VALUES[body.sort_by]
        if body.cursor:
            after, run_id = decode_sort_cursor(body.cursor, body.sort_by)
            where.append(f"({value}, id) {comparison} (%(cursor_value)s, %(cursor_id)s)")
            params.update(cursor_value=after, cursor_id=run_id)
        sql = q.RUNS_PAGE_SORTED.format(
            columns=", ".join(columns), value=value, where=" AND ".join(where), direction=direction
        )
        names.append(SORT_VALUE)
    params["limit"] = body.limit
    return sql, params, names, selected


def implied_details(selected: list[str]) -> list[str]:
    """The breakdowns LangSmith answers alongside their totals (the SDK's list_runs selects only
    the totals, then reads run.input_token_details). They are parsed out of outputs and extra, so
    they come along only when those columns are read anyway: a totals-only page (the UI's runs
    table) never pays for reading the payload columns."""
    if "outputs" not in selected or "extra" not in selected:
        return []
    return [DETAIL_OF[s] for s in selected if s in DETAIL_OF and DETAIL_OF[s] not in selected]


def shape(row: dict[str, Any], selected: list[str]) -> dict[str, Any]:
    """A ClickHouse row (by column) → the run object with exactly the selected fields."""
    out: dict[str, Any] = {}
    for field in selected:
        column = COLUMNS[field]
        if field == "parent_run_ids":
            out[field] = [seg[-36:] for seg in row["dotted_order"].split(".")[:-1]]
        elif column is None:
            out[field] = {} if field == "feedback_stats" else None
        elif field == "error_preview":
            out[field] = row[column] or None  # stored '' (no error) is answered as null, as before
        elif field in DETAIL_FIELDS:
            outputs, extra = json_column(row[column], None), json_column(row[_RUNS["extra"]], None)
            out[field] = usage_details(outputs, extra)[field]
            if out[field] is None and field in PRICED_DETAILS:
                out[field] = priced_details(row[_RUNS[field]])
        elif field in JSON_FIELDS:
            text = row[column]
            out[field] = msgspec.json.decode(text) if text else ({} if field == "inputs" else None)
        elif field == "s3_urls":
            out[field] = {}
        elif field in RUN_TIME_FIELDS:
            out[field] = naive_utc(row[column])
        else:
            out[field] = row[column]
    return out
