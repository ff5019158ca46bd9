"""Tenancy operations shared by the platform API, the migrate bootstrap and the CLI."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
import psycopg

from app.core.tenancy import queries as q
from app.core.tenancy.keys import generate_key, hash_key

DEFAULT_ORG_NAME = "Default"
DEFAULT_WORKSPACE_NAME = "default"


class Organization(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    created_at: dt.datetime


class Workspace(msgspec.Struct, frozen=True):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    created_at: dt.datetime


class ApiKeyRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    organization_id: uuid.UUID
    workspace_id: uuid.UUID | None
    name: str
    prefix: str
    role: str
    user_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class CreatedKey(msgspec.Struct, frozen=True):
    row: ApiKeyRow
    key: str


Conn = psycopg.AsyncConnection[dict[str, Any]]


async def _one(conn: Conn, sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
    return await (await conn.execute(sql, params)).fetchone()


async def ensure_org(conn: Conn, name: str) -> Organization:
    await conn.execute(q.INSERT_ORG, {"id": uuid.uuid4(), "name": name})
    row = await _one(conn, q.SELECT_ORG_BY_NAME, {"name": name})
    return msgspec.convert(row, Organization)


async def default_org(conn: Conn) -> Organization:
    """The oldest organization, created as `Default` on an empty install."""
    row = await _one(conn, q.SELECT_FIRST_ORG, {})
    if row is None:
        return await ensure_org(conn, DEFAULT_ORG_NAME)
    return msgspec.convert(row, Organization)


async def ensure_workspace(conn: Conn, org: Organization, name: str) -> Workspace:
    await conn.execute(q.INSERT_WORKSPACE, {"id": uuid.uuid4(), "organization_id": org.id, "name": name})
    row = await _one(conn, q.SELECT_WORKSPACE_BY_NAME, {"organization_id": org.id, "name": name})
    return msgspec.convert(row, Workspace)


async def list_workspaces(conn: Conn, org_id: uuid.UUID) -> list[Workspace]:
    rows = await (await conn.execute(q.SELECT_WORKSPACES_OF_ORG, {"organization_id": org_id})).fetchall()
    return [msgspec.convert(r, Workspace) for r in rows]


async def workspace_for_cli(conn: Conn, org: Organization, name: str | None) -> Workspace:
    """The workspace an operator's command names (created if new), or with no name the org's
    first workspace (`default` when there is none yet)."""
    if name:
        return await ensure_workspace(conn, org, name)
    existing = await list_workspaces(conn, org.id)
    return existing[0] if existing else await ensure_workspace(conn, org, DEFAULT_WORKSPACE_NAME)


async def create_api_key(
    conn: Conn,
    *,
    organization_id: uuid.UUID,
    workspace_id: uuid.UUID | None,
    name: str,
    expires_at: dt.datetime | None = None,
    role: str = "admin",
    user_id: uuid.UUID | None = None,
    created_by: uuid.UUID | None = None,
) -> CreatedKey:
    """A service key (its own role) or, with `user_id`, a personal access token (the user's role)."""
    key, prefix = generate_key()
    row = await _one(
        conn,
        q.INSERT_API_KEY,
        {
            "id": uuid.uuid4(),
            "organization_id": organization_id,
            "workspace_id": workspace_id,
            "name": name,
            "prefix": prefix,
            "key_hash": hash_key(key),
            "expires_at": expires_at,
            "role": role,
            "user_id": user_id,
            "created_by": created_by,
        },
    )
    return CreatedKey(row=msgspec.convert(row, ApiKeyRow), key=key)


async def list_api_keys(conn: Conn, workspace_id: uuid.UUID) -> list[ApiKeyRow]:
    rows = await (await conn.execute(q.SELECT_API_KEYS_OF_WORKSPACE, {"workspace_id": workspace_id})).fetchall()
    return [msgspec.convert(r, ApiKeyRow) for r in rows]


async def revoke_api_key(conn: Conn, *, key_id: uuid.UUID, workspace_id: uuid.UUID) -> bytes | None:
    """Revoke a key of this workspace; returns its hash (to evict caches) or None if not found."""
    row = await _one(conn, q.REVOKE_API_KEY, {"id": key_id, "workspace_id": workspace_id})
    return bytes(row["key_hash"]) if row else None
