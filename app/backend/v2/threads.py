"""The SDK's v2 thread endpoints (`client.threads`): a project's threads, one thread's traces and
its stats, read by threads/service (the v1 thread reads) and answered in the v2 shapes. Pages
are by position (an opaque offset cursor): a thread has no stable key to resume after."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from app.backend.projects.service import own_project
from app.backend.threads.schemas import Thread, Turn
from app.backend.threads.service import thread_aggregates, thread_summaries, thread_turns
from app.backend.v2 import service as v2
from app.backend.v2.schemas import ThreadsQuery, ThreadStatsQuery
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest
from app.core.postgres import Postgres
from app.core.previews import preview

MAX_PAGE = 100
# Aggregate selects -> the answer's field; those mapped to None are accepted and answered null
# (nothing here records streaming, token breakdowns per thread, or thread-level feedback).
AGGREGATE_FIELDS: dict[str, str | None] = {
    "THREAD_COUNT": "thread_count",
    "TRACE_COUNT": "trace_count",
    "ERROR_RATE": "error_rate",
    "LATENCY_P50": "latency_p50_seconds",
    "LATENCY_P99": "latency_p99_seconds",
    **{s: s.lower() for s in ("TOTAL_TOKENS", "PROMPT_TOKENS", "COMPLETION_TOKENS")},
    **{s: s.lower() for s in ("TOTAL_COST", "PROMPT_COST", "COMPLETION_COST")},
    **{s: None for s in ("STREAMING_RATE", "MEDIAN_TOKENS", "FIRST_TOKEN_P50", "FIRST_TOKEN_P99")},
    **{s: None for s in ("PROMPT_TOKEN_DETAILS", "COMPLETION_TOKEN_DETAILS", "PROMPT_COST_DETAILS")},
    **{s: None for s in ("COMPLETION_COST_DETAILS", "THREAD_FEEDBACK_STATS")},
}


def _thread(t: Thread) -> dict[str, Any]:
    return {
        "thread_id": t.thread_id,
        "count": t.turn_count,
        "start_time": v2.aware(t.first_start_time),
        "min_start_time": v2.aware(t.first_start_time),
        "max_start_time": v2.aware(t.last_start_time),
        "latency_p50": t.latency_p50,
        "num_errored_turns": t.error_count,
        "first_inputs": t.first_input_preview,
        "last_outputs": t.last_output_preview,
        "total_tokens": t.total_tokens,
        "total_cost": t.total_cost,
    }


def _trace(turn: Turn, thread_id: str, number: int) -> dict[str, Any]:
    return {
        "thread_id": thread_id,
        "trace_id": turn.trace_id,
        "turn_number": number,
        "name": turn.name,
        "start_time": turn.start_time,
        "end_time": turn.end_time,
        "latency": turn.latency,
        "first_token_time": turn.first_token_time,
        "inputs": turn.inputs,
        "outputs": turn.outputs,
        "inputs_preview": preview(turn.inputs, user=True),
        "outputs_preview": preview(turn.outputs, user=False),
        "error": turn.error,
        "error_preview": preview(turn.error, user=False) if turn.error else None,
        "prompt_tokens": turn.prompt_tokens,
        "completion_tokens": turn.completion_tokens,
        "total_tokens": turn.total_tokens,
        "total_cost": turn.total_cost,
    }


async def _params(postgres: Postgres, principal: Principal, project_id: uuid.UUID | None) -> dict[str, Any]:
    if project_id is None:
        raise BadRequest("project_id is required")
    await own_project(postgres, principal.workspace_id, project_id)
    return {"workspace_id": str(principal.workspace_id), "project_id": str(project_id)}


@post("/api/v2/threads/query", status_code=200, opt={"role": "viewer"})
async def query_threads(
    data: JSONBody[ThreadsQuery],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    """A page of the project's threads, latest activity first."""
    v2.unsupported(
        filter=data.filter,
        thread_filter=data.thread_filter,
        trace_filter=data.trace_filter,
        tree_filter=data.tree_filter,
        ai_search=data.ai_search,
        sem_filter=data.sem_filter,
    )
    limit, offset = v2.page_size(data.page_size, MAX_PAGE), v2.decode_offset(data.cursor)
    since, until = v2.window(data.min_start_time, data.max_start_time)
    params = await _params(postgres, principal, data.project_id)
    threads, total = await thread_summaries(clickhouse, params, None, limit, offset, since=since, until=until)
    more = offset + len(threads) < total
    return {"items": [_thread(t) for t in threads], "next_cursor": v2.encode_offset(offset + limit) if more else None}


@get("/api/v2/threads/{thread_id:str}/traces")
async def thread_traces(
    *,
    thread_id: FromPath[str],
    project_id: FromQuery[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    cursor: FromQuery[str | None] = None,
    page_size: FromQuery[int] = 20,
    selects: FromQuery[list[str] | None] = None,
    filter: FromQuery[str | None] = None,
    trace_filter: FromQuery[str | None] = None,
    tree_filter: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """One page of the thread's traces (its turns) in order, each with its whole trace's usage."""
    v2.unsupported(filter=filter, trace_filter=trace_filter, tree_filter=tree_filter)
    limit, offset = v2.page_size(page_size, MAX_PAGE), v2.decode_offset(cursor)
    params = await _params(postgres, principal, project_id)
    # One more than the page: whether there is a next page, without counting.
    turns = await thread_turns(clickhouse, params, thread_id, limit + 1, offset)
    items = [_trace(t, thread_id, offset + i + 1) for i, t in enumerate(turns[:limit])]
    if selects:  # upstream answers only the selected fields (SELECTS are the fields' names)
        wanted = {s.lower() for s in selects}
        items = [{k: v for k, v in item.items() if k in wanted} for item in items]
    return {"items": items, "next_cursor": v2.encode_offset(offset + limit) if len(turns) > limit else None}


@get("/api/v2/threads/{thread_id:str}/stats")
async def thread_stats(
    *,
    thread_id: FromPath[str],
    session_id: FromQuery[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    selects: FromQuery[list[str] | None] = None,
    filter: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """The thread's aggregates; a thread with no turns (yet) has zero of them."""
    v2.unsupported(filter=filter)
    params = await _params(postgres, principal, session_id)
    found, _ = await thread_summaries(clickhouse, params, thread_id, 1, 0)
    if not found:
        return {"turns": 0}
    t = found[0]
    stats: dict[str, Any] = {
        "turns": t.turn_count,
        "first_start_time": v2.aware(t.first_start_time),
        "last_start_time": v2.aware(t.last_start_time),
        "latency_p50_seconds": t.latency_p50,
        "prompt_tokens": t.prompt_tokens,
        "completion_tokens": t.completion_tokens,
        "total_tokens": t.total_tokens,
        "total_cost": t.total_cost,
    }
    if selects:
        wanted = {s.lower() for s in selects} | ({"latency_p50_seconds"} if "LATENCY_P50" in selects else set())
        stats = {k: v for k, v in stats.items() if k in wanted}
    return stats


@post("/api/v2/threads/stats", status_code=200, opt={"role": "viewer"})
async def aggregate_thread_stats(
    data: JSONBody[ThreadStatsQuery],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    """Aggregates over the project's threads in the window, with the selected fields."""
    v2.unsupported(
        filter=data.filter,
        thread_filter=data.thread_filter,
        trace_filter=data.trace_filter,
        tree_filter=data.tree_filter,
        stride=data.stride,
    )
    unknown = [s for s in data.select if s not in AGGREGATE_FIELDS]
    if unknown or not data.select:
        raise BadRequest(f"select must list stats fields; unknown: {', '.join(unknown) or '(none selected)'}")
    since, until = v2.window(data.min_start_time, data.max_start_time)
    params = await _params(postgres, principal, data.project_id)
    stats = await thread_aggregates(clickhouse, params, since=since, until=until)
    fields = [AGGREGATE_FIELDS[s] for s in data.select]
    return {field: stats[field] for field in fields if field is not None}


ROUTES = [query_threads, thread_traces, thread_stats, aggregate_thread_stats]
