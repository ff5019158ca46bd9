"""GET /api/v1/sessions/{project_id}/threads (a project's conversations, latest activity first)
and GET .../threads/{thread_id} (one conversation's turns in order).

A thread is the root runs sharing a thread_id (the first of metadata session_id, conversation_id,
thread_id that is set). `POST /runs/query` with `eq(thread_id, "...")` lists the same runs (that is
how the SDK's read_thread works); these routes add what a conversation view needs in one request:
per-thread aggregates, previews, and each turn's token and cost sums over its whole trace.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from app.backend.projects.service import own_project
from app.backend.threads.schemas import ThreadDetail, ThreadPage
from app.backend.threads.service import thread_summaries, thread_turns
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse, check_time
from app.core.concurrency import side_by_side
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres


async def _require_project(postgres: Postgres, principal: Principal, project_id: uuid.UUID) -> None:
    await own_project(postgres, principal.workspace_id, project_id)


@get("/api/v1/sessions/{project_id:uuid}/threads")
async def list_threads(
    *,
    project_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
    search: Annotated[str | None, QueryParameter(max_length=200)] = None,
    start_time: Annotated[dt.datetime | None, QueryParameter()] = None,
    end_time: Annotated[dt.datetime | None, QueryParameter()] = None,
) -> ThreadPage:
    """`search` (case-insensitive, up to 200 characters) keeps the threads whose id or some turn's
    inputs or outputs contain it; `start_time`/`end_time` keep the threads with a turn started in
    that window, their counts and latency over those turns (as the v2 threads query does)."""
    since = check_time(start_time) if start_time else None
    until = check_time(end_time) if end_time else None
    if since and until and since > until:
        raise BadRequest("start_time is after end_time")
    search = (search or "").strip() or None  # blank: no search
    await _require_project(postgres, principal, project_id)
    params = {"workspace_id": str(principal.workspace_id), "project_id": str(project_id)}
    page = partial(thread_summaries, clickhouse, params, None, since=since, until=until, search=search)
    threads, total = await page(limit, offset)
    if not threads and offset:  # past the end: still say how many there are
        total = (await page(1, 0))[1]
    return ThreadPage(
        threads=threads,
        total=total,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < total else None,
    )


@get("/api/v1/sessions/{project_id:uuid}/threads/{thread_id:str}")
async def read_thread(
    *,
    project_id: FromPath[uuid.UUID],
    thread_id: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> ThreadDetail:
    """The thread's aggregates and one page of its turns, oldest first."""
    await _require_project(postgres, principal, project_id)
    params = {"workspace_id": str(principal.workspace_id), "project_id": str(project_id)}
    (found, _), turns = await side_by_side(
        partial(thread_summaries, clickhouse, params, thread_id, 1, 0),
        partial(thread_turns, clickhouse, params, thread_id, limit, offset),
    )
    if not found:
        raise NotFound("thread not found")
    return ThreadDetail(
        thread=found[0],
        turns=turns,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < found[0].turn_count else None,
    )


ROUTES = [list_threads, read_thread]
