"""The SDK's v2 runs and traces endpoints (`client.runs`, `client.traces`): the v1 reads
(runs/listing, runs/service) answered in the v2 shapes (v2/service)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from app.backend.datasets.service import experiments_of_dataset
from app.backend.projects.service import own_project
from app.backend.runs import listing
from app.backend.runs.service import fetch_runs
from app.backend.v2 import service as v2
from app.backend.v2.schemas import RunsQuery, TracesQuery
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import NotFound
from app.core.postgres import Postgres

# The usage a trace's aggregates are read from (a root's usage is its whole trace's, runs/usage.py).
AGGREGATES = ("total_tokens", "total_cost", "first_token_time")


@post("/api/v2/runs/query", status_code=200, opt={"role": "viewer"})
async def query_runs(
    request: Request[Any, Any, Any],
    data: JSONBody[RunsQuery],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    v2.check_query(data)
    selects = v2.check_selects(data.selects)
    projects, earliest = data.project_ids or [], None
    if data.reference_dataset_id is not None:  # the dataset's experiments, from the first one's start
        experiments = await experiments_of_dataset(postgres, principal.workspace_id, data.reference_dataset_id)
        projects = [e["id"] for e in experiments]
        earliest = min((e["start_time"] for e in experiments), default=None)
        if not projects:
            return {"items": [], "next_cursor": None}
    body = v2.v1_query(data, selects, projects, earliest)
    workspace = str(principal.workspace_id)
    runs, next_cursor = await fetch_runs(request, clickhouse, workspace, body, subtree_usage=data.include_subtree_usage)
    return {"items": [v2.v2_run(r, selects, v2.origin_of(request)) for r in runs], "next_cursor": next_cursor}


async def _one_run(
    request: Request[Any, Any, Any], clickhouse: ClickHouse, workspace: str, body: listing.RunsQuery
) -> dict[str, Any]:
    runs, _ = await fetch_runs(request, clickhouse, workspace, body, subtree_usage=False)
    if not runs:
        raise NotFound("run not found")
    return runs[0]


@get("/api/v2/runs/{run_id:uuid}")
async def retrieve_run(
    request: Request[Any, Any, Any],
    *,
    run_id: FromPath[uuid.UUID],
    project_id: FromQuery[uuid.UUID],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
    selects: FromQuery[list[str] | None] = None,
    start_time: FromQuery[dt.datetime | None] = None,  # a lookup hint upstream; the id suffices here
) -> dict[str, Any]:
    chosen = v2.check_selects(selects)
    body = listing.RunsQuery(session=[project_id], id=[run_id], select=v2.v1_select(chosen), limit=1)
    run = await _one_run(request, clickhouse, str(principal.workspace_id), body)
    return v2.v2_run(run, chosen, v2.origin_of(request))


@get("/api/v2/runs/{run_id:uuid}/url")
async def run_url(
    request: Request[Any, Any, Any],
    *,
    run_id: FromPath[uuid.UUID],
    project_id: FromQuery[uuid.UUID],
    trace_id: FromQuery[uuid.UUID],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
    start_time: FromQuery[dt.datetime | None] = None,
) -> dict[str, str]:
    """The run's page in the UI (the path the SDK's get_run_url prints), once the run exists here."""
    body = listing.RunsQuery(session=[project_id], id=[run_id], trace=trace_id, select=["id"], limit=1)
    await _one_run(request, clickhouse, str(principal.workspace_id), body)
    origin = str(request.base_url).rstrip("/")
    path = f"/o/{principal.workspace_id}/projects/p/{project_id}/r/{run_id}?trace_id={trace_id}"
    return {"url": origin + path}


@post("/api/v2/traces/query", status_code=200, opt={"role": "viewer"})
async def query_traces(
    request: Request[Any, Any, Any],
    data: JSONBody[TracesQuery],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    """A page of traces: their root runs (with the selected fields) and each trace's usage."""
    v2.unsupported(
        ai_search=data.ai_search,
        sem_filter=data.sem_filter,
        min_feedback_modified_at=data.min_feedback_modified_at,
        max_feedback_modified_at=data.max_feedback_modified_at,
    )
    selects = v2.check_selects(data.selects)
    since, until = v2.window(data.min_start_time, data.max_start_time)
    body = listing.RunsQuery(
        session=[data.project_id] if data.project_id else None,
        id=data.trace_ids,  # a trace's id is its root run's
        is_root=True,
        start_time=since,
        end_time=until,
        trace_filter=data.trace_filter,
        tree_filter=data.tree_filter,
        select=v2.v1_select(selects, *AGGREGATES),
        limit=v2.page_size(data.page_size, listing.MAX_LIMIT),
        cursor=data.cursor,
    )
    # A root's usage read as its trace's: the trace's aggregates.
    roots, next_cursor = await fetch_runs(request, clickhouse, str(principal.workspace_id), body)
    origin = v2.origin_of(request)
    items = [
        {
            "root_run": v2.v2_run(r, selects, origin),
            "trace_aggregates": {k: v2.v2_run(r, [k.upper()])[k] for k in AGGREGATES},
        }
        for r in roots
    ]
    return {"items": items, "next_cursor": next_cursor}


@get("/api/v2/traces/{trace_id:uuid}/runs")
async def trace_runs(
    request: Request[Any, Any, Any],
    *,
    trace_id: FromPath[uuid.UUID],
    project_id: FromQuery[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    selects: FromQuery[list[str] | None] = None,
    filter: FromQuery[str | None] = None,
    min_start_time: FromQuery[dt.datetime | None] = None,
    max_start_time: FromQuery[dt.datetime | None] = None,
) -> dict[str, Any]:
    """Every run of one trace, in start order (all pages)."""
    chosen = v2.check_selects(selects)
    await own_project(postgres, principal.workspace_id, project_id)
    since, until = v2.window(min_start_time, max_start_time, default_days=None)
    body = listing.RunsQuery(
        session=[project_id],
        trace=trace_id,
        start_time=since,
        end_time=until,
        filter=filter,
        select=v2.v1_select(chosen),
        limit=listing.MAX_LIMIT,
        order="asc",
    )
    items: list[dict[str, Any]] = []
    workspace = str(principal.workspace_id)
    while True:
        runs, body.cursor = await fetch_runs(request, clickhouse, workspace, body, subtree_usage=False)
        items += [v2.v2_run(r, chosen, v2.origin_of(request)) for r in runs]
        if not body.cursor:
            return {"items": items}


ROUTES = [query_runs, retrieve_run, run_url, query_traces, trace_runs]
