"""The experiments' runs on a page of examples: what the v1 examples-with-runs and the v2
experiment-runs endpoints both answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from litestar import Request

from app.backend.runs.listing import RunsQuery
from app.backend.runs.service import fetch_runs
from app.core.clickhouse import ClickHouse

RUNS_PER_QUERY = 1000


async def runs_by_example(
    request: Request[Any, Any, Any],
    clickhouse: ClickHouse,
    workspace: str,
    *,
    experiments: Sequence[uuid.UUID],
    examples: Sequence[uuid.UUID],
    select: list[str],
) -> dict[str, list[dict[str, Any]]]:
    """The experiments' root runs on these examples (v1 run objects with `select`'s fields), by
    example id, oldest first; every page of them."""
    if not examples:  # an empty list would be no condition at all
        return {}
    body = RunsQuery(
        session=list(experiments),
        reference_example=list(examples),
        is_root=True,
        select=[*select, "reference_example_id"],
        limit=RUNS_PER_QUERY,
        order="asc",
    )
    by_example: dict[str, list[dict[str, Any]]] = {}
    while True:
        runs, cursor = await fetch_runs(request, clickhouse, workspace, body)
        for run in runs:
            by_example.setdefault(str(run["reference_example_id"]), []).append(run)
        if not cursor:
            return by_example
        body.cursor = cursor
