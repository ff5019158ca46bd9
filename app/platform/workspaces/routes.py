"""/api/v1/workspaces: the workspaces a key may act in (all of its org's for org-scoped keys)."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from app.core.auth import Principal
from app.core.postgres import Postgres
from app.core.tenancy import queries as q


class WorkspaceOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    organization_id: uuid.UUID
    display_name: str
    created_at: dt.datetime
    is_current: bool


class WorkspacesController(Controller):
    path = "/api/v1/workspaces"

    @get("/")
    async def list_workspaces(
        self, principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> list[WorkspaceOut]:
        rows = await postgres.fetch_all(q.SELECT_WORKSPACES_OF_ORG, {"organization_id": principal.organization_id})
        if not principal.org_scoped:
            rows = [r for r in rows if r["id"] == principal.workspace_id]
        return [
            WorkspaceOut(
                id=r["id"],
                organization_id=r["organization_id"],
                display_name=r["name"],
                created_at=r["created_at"],
                is_current=r["id"] == principal.workspace_id,
            )
            for r in rows
        ]
