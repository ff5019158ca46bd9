"""/api/v1/workspaces and /api/v1/orgs/current: the workspaces a caller may act in, and their
management (admins create and rename workspaces of their organization)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import anyio.to_thread
import msgspec
import psycopg
import redis.asyncio as aredis
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.core.auth import Authenticator, Principal
from app.core.deletions import tombstone, workspace_scope
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres
from app.core.queue import retry_policy
from app.core.tenancy import queries as tq
from app.core.tenancy import users
from app.platform.workspaces import queries as q


class WorkspaceOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    organization_id: uuid.UUID
    display_name: str
    created_at: dt.datetime
    is_current: bool


class WorkspaceBody(msgspec.Struct):
    name: str

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name or len(self.name) > 200:
            raise ValueError("name must be 1 to 200 characters")


def _out(row: dict[str, Any], principal: Principal) -> WorkspaceOut:
    return WorkspaceOut(
        id=row["id"],
        organization_id=row["organization_id"],
        display_name=row["name"],
        created_at=row["created_at"],
        is_current=row["id"] == principal.workspace_id,
    )


class WorkspacesController(Controller):
    path = "/api/v1/workspaces"

    @get("/")
    async def list_workspaces(
        self, principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> list[WorkspaceOut]:
        rows = await postgres.fetch_all(tq.SELECT_WORKSPACES_OF_ORG, {"organization_id": principal.organization_id})
        if principal.user_id is not None:  # a person: the workspaces they are a member of
            mine = {
                r["workspace_id"]
                for r in await postgres.fetch_all(q.SELECT_USER_WORKSPACE_IDS, {"user_id": principal.user_id})
            }
            rows = [r for r in rows if r["id"] in mine]
        elif not principal.org_scoped:
            rows = [r for r in rows if r["id"] == principal.workspace_id]
        return [_out(r, principal) for r in rows]

    @post("/", opt={"role": "admin"}, status_code=201)
    async def create_workspace(
        self, data: JSONBody[WorkspaceBody], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> WorkspaceOut:
        async with postgres.transaction() as conn:
            row = await (
                await conn.execute(
                    q.CREATE_WORKSPACE,
                    {"id": uuid.uuid4(), "organization_id": principal.organization_id, "name": data.name},
                )
            ).fetchone()
            if row is None:
                raise Conflict(f"a workspace named {data.name!r} already exists")
            if principal.user_id is not None:
                await users.add_member(conn, row["id"], principal.user_id, "admin")
        return _out(row, principal)

    @patch("/{workspace_id:uuid}", opt={"role": "admin"})
    async def rename_workspace(
        self,
        workspace_id: FromPath[uuid.UUID],
        data: JSONBody[WorkspaceBody],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> WorkspaceOut:
        if workspace_id != principal.workspace_id:
            raise NotFound("workspace not found")
        try:
            row = await postgres.fetch_one(
                q.RENAME_WORKSPACE,
                {"id": workspace_id, "name": data.name, "organization_id": principal.organization_id},
            )
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"a workspace named {data.name!r} already exists") from None
        if row is None:
            raise NotFound("workspace not found")
        return _out(row, principal)

    @delete("/{workspace_id:uuid}", opt={"role": "admin"}, status_code=202)
    async def delete_workspace(
        self,
        request: Request[Any, Any, Any],
        workspace_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        redis: NamedDependency[aredis.Redis],
    ) -> None:
        """An admin of the workspace (acting in it) deletes it: Postgres at once (cascades), then
        ClickHouse and Redis in a job (worker/deletion.py); its keys stop working now."""
        if workspace_id != principal.workspace_id:
            raise NotFound("workspace not found")
        params = {"id": workspace_id, "organization_id": principal.organization_id}
        async with postgres.transaction() as conn:
            count = await (await conn.execute(q.COUNT_ORG_WORKSPACES, params)).fetchone()
            if count is not None and count["n"] <= 1:
                raise Conflict("the organization's only workspace cannot be deleted")
            hashes = [
                bytes(r["key_hash"])
                for r in await (await conn.execute(q.SELECT_KEY_HASHES_FOR_WORKSPACE, params)).fetchall()
            ]
            if await (await conn.execute(q.DELETE_WORKSPACE, params)).fetchone() is None:
                raise NotFound("workspace not found")
        authenticator: Authenticator = request.app.state.authenticator
        await authenticator.evict(*hashes)
        workspace = str(workspace_id)
        await tombstone(redis, workspace_scope(workspace))
        queue = request.app.state.default_queue
        await anyio.to_thread.run_sync(
            lambda: queue.enqueue_call(
                "worker.deletion.delete_workspace", args=(workspace,), result_ttl=0, retry=retry_policy(), timeout=3600
            )
        )


@get("/api/v1/orgs/current")
async def current_org(principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]) -> dict[str, Any]:
    org = await postgres.fetch_one(q.SELECT_ORG, {"id": principal.organization_id})
    return {"id": str(org["id"]), "name": org["name"], "created_at": org["created_at"]}
