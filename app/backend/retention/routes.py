"""/api/v1/retention: the caller's workspace's retention tiers and payload-first days.

Anyone in the workspace may read them; only admins change them. A project's own tier is set on
the project (PATCH /api/v1/sessions/{id} with `trace_tier`, `longlived_ttl_days`,
`payload_ttl_days`, as LangSmith's SDK sends it).
"""

from __future__ import annotations

from litestar import get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.backend.retention.schemas import WorkspaceRetention, WorkspaceRetentionUpdate
from app.backend.retention.service import update_workspace_retention, workspace_retention
from app.core.auth import Principal
from app.core.postgres import Postgres

PATH = "/api/v1/retention"


@get(PATH)
async def read_retention(
    principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> WorkspaceRetention:
    return await workspace_retention(postgres, principal.workspace_id)


@patch(PATH, opt={"role": "admin"})
async def change_retention(
    data: JSONBody[WorkspaceRetentionUpdate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> WorkspaceRetention:
    return await update_workspace_retention(postgres, principal, data)


ROUTES = [read_retention, change_retention]
