"""Token and cost totals per trace.

Usage is recorded on the LLM runs deep inside a trace; a trace's totals are the sums over all its
runs. As in LangSmith, a root run reports its whole trace's (the runs table, the comparison view).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from app.backend.runs import queries as q
from app.core.clickhouse import ClickHouse

USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens", "prompt_cost", "completion_cost", "total_cost")


async def trace_usage(
    clickhouse: ClickHouse,
    workspace: str,
    traces: Iterable[Any],
    *,
    since: dt.datetime,
    projects: Iterable[Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """trace id → {field: sum} for USAGE_FIELDS. `since`: the earliest root start among the traces;
    `projects`, when known, narrows the read to them."""
    projects = tuple(str(p) for p in projects or ())
    params = {
        "workspace_id": workspace,
        "since": since,
        "traces": tuple({str(t) for t in traces}),
        "projects": projects,
    }
    rows = await clickhouse.aquery(q.TRACE_USAGE_IN_PROJECTS if projects else q.TRACE_USAGE_ANY_PROJECT, params)
    return {str(trace): dict(zip(USAGE_FIELDS, sums, strict=True)) for trace, *sums in rows}


async def roll_up_root_usage(
    clickhouse: ClickHouse,
    workspace: str,
    projects: list[uuid.UUID] | None,
    rows: list[dict[str, Any]],
    runs: list[dict[str, Any]],
) -> None:
    """Give each root run in `runs` (shaped from `rows`) its trace's usage, for the fields selected."""
    roots = [(row, run) for row, run in zip(rows, runs, strict=True) if "." not in row["dotted_order"]]
    wanted = [f for f in USAGE_FIELDS if f in runs[0]]
    if not roots or not wanted:
        return
    totals = await trace_usage(
        clickhouse,
        workspace,
        (row["trace_id"] for row, _ in roots),
        since=min(row["start_time"] for row, _ in roots),
        projects=projects,
    )
    for row, run in roots:
        for field in wanted:
            total = totals.get(str(row["trace_id"]), {}).get(field)
            if total is not None:
                run[field] = total
