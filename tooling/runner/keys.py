"""`api-key create`: a workspace-bound key, creating the workspace (and a default org) if new."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from app.core.tenancy import service


async def create_key(
    dsn: str, workspace_name: str | None, key_name: str, *, org_wide: bool = False, role: str = "admin"
) -> tuple[str, str]:
    """Return (key, "org/workspace"). With no workspace name: the org's first workspace, or
    `default` when there is none yet. An org-wide key is not bound to that workspace: it may act
    in any workspace of the organization, chosen per request with X-Tenant-Id."""
    async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn, conn.transaction():
        org = await service.default_org(conn)
        workspace = await service.workspace_for_cli(conn, org, workspace_name)
        created = await service.create_api_key(
            conn, organization_id=org.id, workspace_id=None if org_wide else workspace.id, name=key_name, role=role
        )
    return created.key, org.name if org_wide else f"{org.name}/{workspace.name}"
