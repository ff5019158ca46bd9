"""/api/v1/sessions: projects of the caller's workspace (wire §4).

Projects live in Postgres; their statistics are computed in ClickHouse (`stats.py`). Deleting a
project removes its row at once and its runs, feedback and attachments in a background job.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
import psycopg
import redis.asyncio as aredis
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.deletions.service import hand_off
from app.backend.params import json_object_param
from app.backend.projects import queries as q
from app.backend.projects.schemas import Project, ProjectCreate, ProjectUpdate, project_from_row, with_stats
from app.backend.projects.stats import project_stats
from app.backend.retention.service import require_admin, update_project_retention
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse, check_time
from app.core.deletions import name_scope, project_scope
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres


class ProjectsController(Controller):
    path = "/api/v1/sessions"

    @post("/", status_code=200)
    async def create_project(
        self, data: JSONBody[ProjectCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> Project:
        if data.sets_retention():
            require_admin(principal)
        project_id = data.id or uuid.uuid4()
        params = {
            "id": project_id,
            "workspace_id": principal.workspace_id,
            "name": data.name,
            "description": data.description,
            "extra": Jsonb(data.extra) if data.extra is not None else None,
            "reference_dataset_id": data.reference_dataset_id,
            "start_time": data.start_time,
            "end_time": data.end_time,
            "trace_tier": data.trace_tier,
            "longlived_ttl_days": data.longlived_ttl_days,
            "payload_ttl_days": data.payload_ttl_days,
        }
        row = await postgres.fetch_one(q.INSERT_PROJECT, params)
        if row is not None:
            return project_from_row(row)
        # The insert hit a unique key. A retry of the same create (same id and name) gets the
        # existing project; anything else is a name clash, which the SDK expects as 409.
        existing = await postgres.fetch_one(
            q.SELECT_PROJECT, {"workspace_id": principal.workspace_id, "id": project_id}
        )
        if existing is not None and existing["name"] == data.name:
            return project_from_row(existing)
        raise Conflict(f"a project named {data.name!r} already exists")

    @get("/")
    async def list_projects(
        self,
        *,
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        clickhouse: NamedDependency[ClickHouse],
        name: FromQuery[str | None] = None,
        name_contains: FromQuery[str | None] = None,
        ids: Annotated[list[uuid.UUID] | None, QueryParameter(name="id")] = None,
        reference_dataset: FromQuery[list[uuid.UUID] | None] = None,
        reference_free: FromQuery[bool | None] = None,
        metadata: FromQuery[str | None] = None,
        include_stats: FromQuery[bool] = False,
        stats_start_time: FromQuery[dt.datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[Project]:
        params: dict[str, Any] = {
            "workspace_id": principal.workspace_id,
            "name": name,
            "name_contains": name_contains,
            "ids": ids or None,
            "datasets": reference_dataset or None,
            "reference_free": reference_free,
            "metadata": Jsonb(json_object_param(metadata, "metadata")) if metadata else None,
            "limit": limit,
            "offset": offset,
        }
        projects = [project_from_row(r) for r in await postgres.fetch_all(q.LIST_PROJECTS, params)]
        return await _maybe_stats(projects, include_stats, principal, clickhouse, stats_start_time)

    @get("/{project_id:uuid}")
    async def read_project(
        self,
        project_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        clickhouse: NamedDependency[ClickHouse],
        include_stats: FromQuery[bool] = False,
    ) -> Project:
        row = await postgres.fetch_one(q.SELECT_PROJECT, {"workspace_id": principal.workspace_id, "id": project_id})
        if row is None:
            raise NotFound("project not found")
        return (await _maybe_stats([project_from_row(row)], include_stats, principal, clickhouse))[0]

    @patch("/{project_id:uuid}")
    async def update_project(
        self,
        project_id: FromPath[uuid.UUID],
        data: JSONBody[ProjectUpdate],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> Project:
        retention = {
            "trace_tier": data.trace_tier,
            "longlived_ttl_days": data.longlived_ttl_days,
            "payload_ttl_days": data.payload_ttl_days,
        }
        if any(v is not msgspec.UNSET for v in retention.values()):
            require_admin(principal)  # before anything is written
        params = {
            "workspace_id": principal.workspace_id,
            "id": project_id,
            "name": data.name,
            "description": data.description,
            "extra": Jsonb(data.extra) if data.extra is not None else None,
            "end_time": data.end_time,
        }
        try:
            row = await postgres.fetch_one(q.UPDATE_PROJECT, params)
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"a project named {data.name!r} already exists") from None
        if row is None:
            raise NotFound("project not found")
        # Applies to the traces written from now on (LangSmith's semantics).
        changed = await update_project_retention(postgres, principal, project_id, **retention)
        return project_from_row({**row, **(changed or {})})

    @delete("/{project_id:uuid}", status_code=202)
    async def delete_project(
        self,
        request: Request[Any, Any, Any],
        project_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        redis: NamedDependency[aredis.Redis],
    ) -> None:
        row = await postgres.fetch_one(q.DELETE_PROJECT, {"workspace_id": principal.workspace_id, "id": project_id})
        if row is None:
            raise NotFound("project not found")
        workspace = str(principal.workspace_id)
        await hand_off(
            redis,
            request.app.state.default_queue,
            [project_scope(workspace, str(project_id)), name_scope(workspace, row["name"])],
            "worker.deletion.delete_project",
            workspace,
            str(project_id),
        )


async def _maybe_stats(
    projects: list[Project],
    include: bool,
    principal: Principal,
    clickhouse: ClickHouse,
    since: dt.datetime | None = None,
) -> list[Project]:
    """`since`: the stats cover the runs started from then on (the UI's time range), else all time."""
    if not include:
        return projects
    since = check_time(since) if since else None
    stats = await project_stats(clickhouse, str(principal.workspace_id), [str(p.id) for p in projects], since)
    return [with_stats(p, stats.get(str(p.id))) for p in projects]
