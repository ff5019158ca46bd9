"""Run sharing (wire §3.3): a share token grants read access to one run's whole trace, without
a key. The token is a random UUID kept in Postgres; unsharing deletes it.

The token is always minted here. The SDK proposes one (`share_token`), but a caller-chosen token
is a guessable capability, and one already used by another run clashed on the unique key, which
told the caller that token exists. The SDK reads the token back from the answer."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.backend.runs.listing import RunsQuery, build_query, shape
from app.backend.runs.schemas import Run
from app.backend.runs.service import Share, load_run, trace_of_run
from app.backend.sharing.service import share, share_token_of_run, shared, unshare
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import NotFound
from app.core.postgres import Postgres

PUBLIC = {"exclude_from_auth": True}


class ShareBody(msgspec.Struct, kw_only=True):
    run_id: uuid.UUID | None = None
    share_token: str | None = None  # accepted for the SDK's sake and ignored (see the module doc)


async def _own_run(clickhouse: ClickHouse, principal: Principal, run_id: uuid.UUID) -> Any:
    """The run's trace id, or 404 when the run is not in the caller's workspace."""
    trace_id = await trace_of_run(clickhouse, str(principal.workspace_id), str(run_id))
    if trace_id is None:
        raise NotFound("run not found")
    return trace_id


@put("/api/v1/runs/{run_id:uuid}/share")
async def share_run(
    run_id: FromPath[uuid.UUID],
    data: JSONBody[ShareBody],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, str]:
    trace_id = await _own_run(clickhouse, principal, run_id)
    return {"share_token": str(await share(postgres, principal.workspace_id, run_id, trace_id))}


@get("/api/v1/runs/{run_id:uuid}/share")
async def read_share(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, str] | None:
    await _own_run(clickhouse, principal, run_id)
    token = await share_token_of_run(postgres, principal.workspace_id, run_id)
    return {"share_token": str(token)} if token is not None else None


@delete("/api/v1/runs/{run_id:uuid}/share", status_code=200)
async def unshare_run(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, str]:
    await _own_run(clickhouse, principal, run_id)
    await unshare(postgres, principal.workspace_id, run_id)
    return {"run_id": str(run_id), "status": "unshared"}


@get("/api/v1/public/{token:uuid}/run", opt=PUBLIC)
async def read_shared_run(
    request: Request[Any, Any, Any],
    token: FromPath[uuid.UUID],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> Run:
    share = await shared(postgres, token)
    bound = Share(run_id=str(share["run_id"]), token=str(token))  # unsharing kills its attachment links
    return await load_run(request, clickhouse, str(share["workspace_id"]), str(share["run_id"]), bound)


@get("/api/v1/public/{token:uuid}/run/{run_id:uuid}", opt=PUBLIC)
async def read_shared_trace_run(
    request: Request[Any, Any, Any],
    token: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> Run:
    share = await shared(postgres, token)
    bound = Share(run_id=str(share["run_id"]), token=str(token))  # unsharing kills its attachment links
    run = await load_run(request, clickhouse, str(share["workspace_id"]), str(run_id), bound)
    if run.trace_id != share["trace_id"]:
        raise NotFound("shared run not found")  # only the shared trace is visible
    return run


@post("/api/v1/public/{token:uuid}/runs/query", opt=PUBLIC, status_code=200)
async def query_shared_runs(
    token: FromPath[uuid.UUID],
    data: JSONBody[RunsQuery],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    share = await shared(postgres, token)
    scoped = msgspec.structs.replace(data, trace=share["trace_id"], session=None)
    sql, params, columns, selected = build_query(scoped, str(share["workspace_id"]))
    rows = [dict(zip(columns, values, strict=True)) for values in await clickhouse.aquery(sql, params)]
    return {"runs": [shape(r, selected) for r in rows], "cursors": {"next": None}}


ROUTES = [share_run, read_share, unshare_run, read_shared_run, read_shared_trace_run, query_shared_runs]
