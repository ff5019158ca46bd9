"""First start: create the organization, workspace and admin `.env` names, if it names them, and
the one-time setup link while no account exists."""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg
from psycopg.rows import dict_row

from app.core.settings import BootstrapSettings, PublicUrlSettings
from app.core.tenancy import queries as q
from app.core.tenancy import service, setup, users

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


async def announce_setup_link(dsn: str, public: PublicUrlSettings, announce: Callable[[str], None]) -> bool:
    """While no account exists: make a new setup token (replacing the previous one) and announce
    its link; True if it did. Once there is an account, delete any pending token."""
    async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row, autocommit=True) as conn:
        # Held from writing the token until its link is announced: concurrent starts announce in
        # the order they wrote, so the last link announced is the one that works.
        await conn.execute(q.LOCK_ANNOUNCE)
        async with conn.transaction():
            token = await setup.issue(conn)
        # Only after the commit: a link announced for a token that was never stored would be a lie.
        if token:
            announce(public.link(f"{setup.PATH}?token={token}"))
        await conn.execute(q.UNLOCK_ANNOUNCE)
    return token is not None
