"""/api/v1/api-key: the API keys of the caller's workspace. Admins manage service keys; any
logged-in member may create a personal access token, which acts with their own role."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.core.auth import Authenticator, Principal
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres
from app.core.tenancy import service
from app.platform.api_keys.schemas import ApiKey, ApiKeyCreate, ApiKeyCreated, api_key_from_row


class ApiKeysController(Controller):
    path = "/api/v1/api-key"
    opt = {"role": "admin"}  # noqa: RUF012 - Litestar reads it as a class attribute

    @post("/personal", status_code=201, opt={"role": "viewer"})
    async def create_personal_key(
        self, data: JSONBody[ApiKeyCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> ApiKeyCreated:
        if principal.user_id is None:
            raise BadRequest("personal access tokens are created from a logged-in session, not with an API key")
        # The stored role is a placeholder: a personal token acts with its user's current role.
        return await _create(postgres, principal, data, "personal token", role="viewer", user_id=principal.user_id)

    @post("/", status_code=201)
    async def create_key(
        self, data: JSONBody[ApiKeyCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> ApiKeyCreated:
        return await _create(postgres, principal, data, "api key", role=data.role, user_id=None)

    @get("/")
    async def list_keys(
        self, principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> list[ApiKey]:
        async with postgres.connection() as conn:
            rows = await service.list_api_keys(conn, principal.workspace_id)
        return [api_key_from_row(r) for r in rows]

    @delete("/{key_id:uuid}", status_code=204)
    async def revoke_key(
        self,
        key_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        request: Request[Any, Any, Any],
    ) -> None:
        async with postgres.transaction() as conn:
            key_hash = await service.revoke_api_key(conn, key_id=key_id, workspace_id=principal.workspace_id)
        if key_hash is None:
            raise NotFound("API key not found")
        authenticator: Authenticator = request.app.state.authenticator
        await authenticator.evict(key_hash)


async def _create(
    postgres: Postgres,
    principal: Principal,
    data: ApiKeyCreate,
    default_name: str,
    *,
    role: str,
    user_id: uuid.UUID | None,
) -> ApiKeyCreated:
    async with postgres.transaction() as conn:
        created = await service.create_api_key(
            conn,
            organization_id=principal.organization_id,
            workspace_id=principal.workspace_id,
            name=data.name or default_name,
            expires_at=data.expires_at,
            role=role,
            user_id=user_id,
            created_by=principal.user_id,
        )
    return ApiKeyCreated(**msgspec.structs.asdict(api_key_from_row(created.row)), key=created.key)
