"""GET /api/v1/sessions/{project_id}/threads (a project's conversations, latest activity first)
and GET .../threads/{thread_id} (one conversation's turns in order).

A thread is the root runs sharing a thread_id (the first of metadata session_id, conversation_id,
thread_id that is set). `POST /runs/query` with `eq(thread_id, "...")` lists the same runs (that is
how the SDK's read_thread works); these routes add what a conversation view needs in one request:
per-thread aggregates, previews, and each turn's token and cost sums over its whole trace.
"""

from __future__ import annotations

import math
import uuid
from functools import partial
from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from app.backend.projects.service import own_project
from app.backend.runs.schemas import json_column, naive_utc
from app.backend.threads import queries as q
from app.backend.threads.schemas import Thread, ThreadDetail, ThreadPage, Turn, preview
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.errors import NotFound
from app.core.postgres import Postgres


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


async def _require_project(postgres: Postgres, principal: Principal, project_id: uuid.UUID) -> None:
    await own_project(postgres, principal.workspace_id, project_id)


async def _threads(
    clickhouse: ClickHouse, params: dict[str, Any], thread_id: str | None, limit: int, offset: int
) -> tuple[list[Thread], int]:
    """A page of threads (or the one named) with previews and token sums, and the total count."""
    rows = await clickhouse.aquery(q.LIST_THREADS, {**params, "thread_id": thread_id, "limit": limit, "offset": offset})
    if not rows:
        return [], 0
    details = {
        r[0]: r for r in await clickhouse.aquery(q.THREAD_DETAILS, {**params, "threads": tuple(r[0] for r in rows)})
    }
    threads = []
    for thread, turns, first_start, last_start, latency, errors, _total in rows:
        _, inputs, outputs, prompt, completion, total, cost = details.get(thread) or (thread, "", "", 0, 0, 0, None)
        threads.append(
            Thread(
                thread_id=thread,
                turn_count=turns,
                first_start_time=naive_utc(first_start),
                last_start_time=naive_utc(last_start),
                latency_p50=_number(latency[0]) if latency else None,
                error_count=errors,
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=total,
                total_cost=_number(cost),
                first_input_preview=preview(json_column(inputs, None), user=True),
                last_output_preview=preview(json_column(outputs, None), user=False),
            )
        )
    return threads, rows[0][-1]


@get("/api/v1/sessions/{project_id:uuid}/threads")
async def list_threads(
    *,
    project_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> ThreadPage:
    await _require_project(postgres, principal, project_id)
    params = {"workspace_id": str(principal.workspace_id), "project_id": str(project_id)}
    threads, total = await _threads(clickhouse, params, None, limit, offset)
    if not threads and offset:  # past the end: still say how many there are
        total = (await _threads(clickhouse, params, None, 1, 0))[1]
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
    turn_params = {**params, "thread_id": thread_id, "limit": limit, "offset": offset}
    (found, _), rows = await side_by_side(
        partial(_threads, clickhouse, params, thread_id, 1, 0), partial(clickhouse.aquery, q.THREAD_TURNS, turn_params)
    )
    if not found:
        raise NotFound("thread not found")
    return ThreadDetail(
        thread=found[0],
        turns=[
            Turn(
                id=r[0],
                trace_id=r[1],
                name=r[2],
                run_type=r[3],
                status=r[4],
                error=r[5],
                start_time=naive_utc(r[6]),
                end_time=naive_utc(r[7]),
                latency=_number(r[8]),
                first_token_time=naive_utc(r[9]),
                inputs=json_column(r[10], {}),
                outputs=json_column(r[11], None),
                tags=list(r[12]),
                prompt_tokens=r[13],
                completion_tokens=r[14],
                total_tokens=r[15],
                total_cost=_number(r[16]),
            )
            for r in rows
        ],
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < found[0].turn_count else None,
    )


ROUTES = [list_threads, read_thread]
