"""POST /api/v1/runs/delete: delete whole traces of a project (LangSmith's data-deletion endpoint:
`{"session_id", "trace_ids"}`; the SDK has no method for it). Accepted at once (202), removed from
every store by a background job; the traces stop appearing in reads when that job has run."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aredis
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.backend.deletions import queries as q
from app.backend.deletions.schemas import DeleteTraces
from app.backend.deletions.service import hand_off
from app.core.auth import Principal
from app.core.deletions import trace_scope
from app.core.errors import NotFound
from app.core.postgres import Postgres


@post("/api/v1/runs/delete", status_code=202)
async def delete_traces(
    request: Request[Any, Any, Any],
    data: JSONBody[DeleteTraces],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> dict[str, Any]:
    workspace = str(principal.workspace_id)
    if (
        await postgres.fetch_one(q.PROJECT_EXISTS, {"workspace_id": principal.workspace_id, "id": data.session_id})
        is None
    ):
        raise NotFound("project not found")
    traces = sorted({str(t) for t in data.trace_ids})
    await hand_off(
        redis,
        request.app.state.default_queue,
        [trace_scope(workspace, t) for t in traces],
        "worker.deletion.delete_traces",
        workspace,
        str(data.session_id),
        traces,
    )
    return {"session_id": str(data.session_id), "trace_ids": traces}


ROUTES = [delete_traces]
