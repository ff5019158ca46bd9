"""/api/v1/sessions: create, list and read projects in the caller's workspace.

Issue 4 extends this (update, delete, stats); this is the part the tenancy model rests on.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.projects import queries as q
from app.backend.projects.schemas import Project, ProjectCreate, project_from_row
from app.core.auth import Principal
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres


class ProjectsController(Controller):
    path = "/api/v1/sessions"

    @post("/", status_code=200)
    async def create_project(
        self, data: JSONBody[ProjectCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> Project:
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
        name: FromQuery[str | None] = None,
        name_contains: FromQuery[str | None] = None,
        ids: Annotated[list[uuid.UUID] | None, QueryParameter(name="id")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[Project]:
        params: dict[str, Any] = {
            "workspace_id": principal.workspace_id,
            "name": name,
            "name_contains": name_contains,
            "ids": ids or None,
            "limit": limit,
            "offset": offset,
        }
        return [project_from_row(r) for r in await postgres.fetch_all(q.LIST_PROJECTS, params)]

    @get("/{project_id:uuid}")
    async def read_project(
        self,
        project_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> Project:
        row = await postgres.fetch_one(q.SELECT_PROJECT, {"workspace_id": principal.workspace_id, "id": project_id})
        if row is None:
            raise NotFound("project not found")
        return project_from_row(row)
