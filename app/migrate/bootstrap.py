"""First start: create the organization and workspace `.env` names, if it names them."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from app.core.settings import BootstrapSettings
from app.core.tenancy import service


async def bootstrap(dsn: str, settings: BootstrapSettings) -> str | None:
    if not settings.initial_org_name and not settings.initial_workspace_name:
        return None
    async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn, conn.transaction():
        org = (
            await service.ensure_org(conn, settings.initial_org_name)
            if settings.initial_org_name
            else await service.default_org(conn)
        )
        workspace = await service.ensure_workspace(
            conn, org, settings.initial_workspace_name or service.DEFAULT_WORKSPACE_NAME
        )
    return f"{org.name}/{workspace.name}"
