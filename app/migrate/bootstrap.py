"""First start: create the organization and workspace `.env` names, if it names them."""

from __future__ import annotations

import logging

import psycopg
from psycopg.rows import dict_row

from app.core.settings import BootstrapSettings
from app.core.tenancy import service, users

log = logging.getLogger("tracehouse.migrate")


async def bootstrap(dsn: str, settings: BootstrapSettings) -> str | None:
    if not (settings.initial_org_name or settings.initial_workspace_name or settings.initial_admin_email):
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
        if settings.initial_admin_email and settings.initial_admin_password:
            user_id = await users.claim_initial_admin(
                conn, settings.initial_admin_email, settings.initial_admin_password, org.id
            )
            if user_id is None:
                log.warning(
                    "INITIAL_ADMIN_EMAIL names an existing account whose password is not INITIAL_ADMIN_PASSWORD"
                    " (or that another organization manages); it was not made an admin"
                )
            else:
                await users.add_member(conn, workspace.id, user_id, "admin")
    return f"{org.name}/{workspace.name}"
