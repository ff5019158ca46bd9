"""The SDK's v2 run shares (`client.runs.share`) and keyless reads of a shared trace
(`client.public.runs`): the v1 shares (sharing/service) and public reads, in the v2 shapes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from app.backend.projects.service import own_project
from app.backend.runs import listing
from app.backend.runs.service import trace_of_run
from app.backend.sharing.service import share, shared, unshare
from app.backend.v2 import service as v2
from app.backend.v2.schemas import PublicRunsQuery, ShareCreate, ShareDelete
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

PUBLIC = {"exclude_from_auth": True}


@post("/api/v2/runs/{run_id:uuid}/share", status_code=200)
async def share_run(
    run_id: FromPath[uuid.UUID],
    data: JSONBody[ShareCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, str]:
    """Share the run's trace: the share is its root's (a trace's id is its root run's), so sharing
    any run of a trace answers the same token."""
    await own_project(postgres, principal.workspace_id, data.session_id)
    trace = await trace_of_run(clickhouse, str(principal.workspace_id), str(run_id))
    if trace is None:
        raise NotFound("run not found")
    if str(trace) != str(data.trace_id):
        raise BadRequest("trace_id is not the run's trace")
    token = await share(postgres, principal.workspace_id, trace, trace)
    return {"share_token": str(token)}


@delete("/api/v2/runs/{trace_id:uuid}/share", status_code=204)
async def unshare_trace(
    trace_id: FromPath[uuid.UUID],
    data: JSONBody[ShareDelete],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> None:
    """Idempotent: 204 whether or not the trace was shared (404 when it is not the caller's)."""
    await own_project(postgres, principal.workspace_id, data.session_id)
    if await trace_of_run(clickhouse, str(principal.workspace_id), str(trace_id)) is None:
        raise NotFound("trace not found")
    await unshare(postgres, principal.workspace_id, trace_id)


async def _shared_runs(
    postgres: Postgres, clickhouse: ClickHouse, token: str, selects: list[str] | None, run_id: uuid.UUID | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Runs of a shared trace (the one named, or all), read as the v1 public reads do: no usage
    roll-up, feedback or attachment links."""
    row = await shared(postgres, token)
    chosen = v2.check_selects(selects, hidden=v2.PUBLIC_HIDDEN)
    body = listing.RunsQuery(
        trace=row["trace_id"],
        id=[run_id] if run_id else None,
        select=v2.v1_select(chosen),
        limit=listing.MAX_LIMIT,
        order="asc",
    )
    sql, params, columns, selected = listing.build_query(body, str(row["workspace_id"]))
    rows = [dict(zip(columns, values, strict=True)) for values in await clickhouse.aquery(sql, params)]
    return [listing.shape(r, selected) for r in rows], chosen


@post("/api/v2/public/{share_token:str}/runs/query", status_code=200, opt=PUBLIC)
async def query_shared_runs(
    share_token: FromPath[str],
    data: JSONBody[PublicRunsQuery],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    runs, chosen = await _shared_runs(postgres, clickhouse, share_token, data.selects, None)
    return {"items": [v2.v2_run(r, chosen) for r in runs]}


@get("/api/v2/public/{share_token:str}/run/{run_id:uuid}", opt=PUBLIC)
async def retrieve_shared_run(
    *,
    share_token: FromPath[str],
    run_id: FromPath[uuid.UUID],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    selects: FromQuery[list[str] | None] = None,
    start_time: FromQuery[dt.datetime | None] = None,  # a lookup hint upstream; the id suffices here
) -> dict[str, Any]:
    runs, chosen = await _shared_runs(postgres, clickhouse, share_token, selects, run_id)
    if not runs:
        raise NotFound("shared run not found")  # only the shared trace's runs are visible
    return v2.v2_run(runs[0], chosen)


ROUTES = [share_run, unshare_trace, query_shared_runs, retrieve_shared_run]
