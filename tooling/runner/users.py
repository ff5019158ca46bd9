"""`user create` and `user reset-password`: what an operator does with a shell on the host.

An operator's accounts belong to no organization (like the INITIAL_ADMIN_* one): whoever runs
these commands holds the stores' credentials anyway. Passwords are generated unless given on
standard input, never taken from the command line (it would land in `ps` and shell history),
and printed once. A reset also clears the account's login throttle, so a lockout is never a
dead end.
"""

from __future__ import annotations

import secrets
import uuid

import psycopg
import redis
from psycopg.rows import dict_row

from app.core.tenancy import queries as tq
from app.core.tenancy import service, users
from app.platform.login import throttle
from tooling.runner import queries as q


class UserCommandError(RuntimeError):
    """The command cannot do what was asked (the message says why)."""


def generated_password() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


async def create_user(
    dsn: str, email: str, password: str, *, workspace_name: str | None, role: str, name: str = ""
) -> str:
    """Create the account and make it a member of the workspace; returns "org/workspace"."""
    email = email.strip()
    if "@" not in email:
        raise UserCommandError(f"{email!r} is not an email address")
    try:
        password_hash = users.hash_password(password)
    except users.PasswordTooWeak as exc:
        raise UserCommandError(str(exc)) from None
    async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn, conn.transaction():
        created = await (
            await conn.execute(
                tq.INSERT_USER,
                {"id": uuid.uuid4(), "email": email, "name": name, "hash": password_hash, "organization_id": None},
            )
        ).fetchone()
        if created is None:
            raise UserCommandError(f"an account for {email} exists; use `user reset-password` to set its password")
        org = await service.default_org(conn)
        workspace = await service.workspace_for_cli(conn, org, workspace_name)
        await users.add_member(conn, workspace.id, created["id"], role)
    return f"{org.name}/{workspace.name}"


async def reset_password(dsn: str, email: str, password: str) -> None:
    try:
        password_hash = users.hash_password(password)
    except users.PasswordTooWeak as exc:
        raise UserCommandError(str(exc)) from None
    async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn, conn.transaction():
        row = await (await conn.execute(q.UPDATE_PASSWORD, {"hash": password_hash, "email": email.strip()})).fetchone()
    if row is None:
        raise UserCommandError(f"no account for {email.strip()}")


def clear_login_throttle(connection: redis.Redis, email: str) -> int:
    """Forget the account's failed logins, from every address; returns how many counters went."""
    keys, pairs = throttle.account_keys(email)
    keys += list(connection.scan_iter(match=pairs, count=1000))
    return int(connection.delete(*keys))
