"""Reading threads (a project's conversations): summaries with previews and token sums, and one
thread's turns in order. The v1 thread routes and the v2 thread endpoints both read them here."""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from typing import Any

from app.backend.runs.schemas import json_column, naive_utc
from app.backend.threads import queries as q
from app.backend.threads.schemas import Thread, Turn
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.previews import preview


def number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


async def thread_summaries(
    clickhouse: ClickHouse,
    params: dict[str, Any],
    thread_id: str | None,
    limit: int,
    offset: int,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    search: str | None = None,
) -> tuple[list[Thread], int]:
    """A page of threads (or the one named) with previews and token sums, and the total count.
    `since`/`until` bound the turns' start times (a thread is listed when a turn falls inside);
    `search` keeps the threads whose id or some turn's inputs or outputs contain it."""
    window = {"since": since, "until": until}
    page = {"limit": limit, "offset": offset}
    if search:
        rows = await clickhouse.aquery(q.SEARCH_THREADS, {**params, **window, **page, "search": search})
    else:
        rows = await clickhouse.aquery(q.LIST_THREADS, {**params, **window, **page, "thread_id": thread_id})
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
                latency_p50=number(latency[0]) if latency else None,
                error_count=errors,
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=total,
                total_cost=number(cost),
                first_input_preview=preview(json_column(inputs, None), user=True),
                last_output_preview=preview(json_column(outputs, None), user=False),
            )
        )
    return threads, rows[0][-1]


async def thread_turns(
    clickhouse: ClickHouse, params: dict[str, Any], thread_id: str, limit: int, offset: int
) -> list[Turn]:
    """A page of one thread's turns (root runs) in order, each with its trace's token and cost sums."""
    rows = await clickhouse.aquery(q.THREAD_TURNS, {**params, "thread_id": thread_id, "limit": limit, "offset": offset})
    return [
        Turn(
            id=r[0],
            trace_id=r[1],
            name=r[2],
            run_type=r[3],
            status=r[4],
            error=r[5],
            start_time=naive_utc(r[6]),
            end_time=naive_utc(r[7]),
            latency=number(r[8]),
            first_token_time=naive_utc(r[9]),
            inputs=json_column(r[10], {}),
            outputs=json_column(r[11], None),
            tags=list(r[12]),
            prompt_tokens=r[13],
            completion_tokens=r[14],
            total_tokens=r[15],
            total_cost=number(r[16]),
        )
        for r in rows
    ]


async def thread_aggregates(
    clickhouse: ClickHouse, params: dict[str, Any], *, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Any]:
    """Aggregates over a project's threads whose turns started in the window (the turns counted
    are those in it); tokens and cost are over those turns' whole traces."""
    params = {**params, "since": since, "until": until}
    rows, usage = await side_by_side(
        partial(clickhouse.aquery, q.THREAD_AGGREGATES, params),
        partial(clickhouse.aquery, q.THREAD_AGGREGATE_USAGE, params),
    )
    threads, turns, latency, errors = rows[0]
    prompt, completion, total, prompt_cost, completion_cost, total_cost = usage[0]
    return {
        "thread_count": threads,
        "trace_count": turns,
        "latency_p50_seconds": number(latency[0]) if turns and latency else None,
        "latency_p99_seconds": number(latency[1]) if turns and latency else None,
        "error_rate": errors / turns if turns else None,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total,
        "prompt_cost": number(prompt_cost),
        "completion_cost": number(completion_cost),
        "total_cost": number(total_cost),
    }
