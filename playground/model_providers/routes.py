"""/api/v1/playground/providers: a workspace's model providers. Admins add, change and remove
them (keys are write-only); everyone in the workspace can list them and use them."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import psycopg
from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.core.auth import Principal
from app.core.egress import split_url
from app.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from app.core.postgres import Postgres
from playground.calls import upstream
from playground.model_providers import queries as q
from playground.model_providers.schemas import Provider, ProviderCreate, ProviderUpdate
from playground.model_providers.service import load_provider
from playground.providers import provider_for
from playground.secrets import hint

ADMIN = {"role": "admin"}
BASE = "/api/v1/playground/providers"


def provider_from_row(row: dict[str, Any]) -> Provider:
    return Provider(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        base_url=row["base_url"],
        default_model=row["default_model"],
        has_api_key=row["api_key_cipher"] is not None,
        api_key_hint=row["api_key_hint"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@get(BASE)
async def list_providers(principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]) -> list[Provider]:
    return [provider_from_row(r) for r in await postgres.fetch_all(q.LIST, {"workspace_id": principal.workspace_id})]


@post(BASE, status_code=201, opt=ADMIN)
async def create_provider(
    request: Request[Any, Any, Any],
    data: JSONBody[ProviderCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Provider:
    state = request.app.state
    if data.base_url:
        await _check_destination(state, data.base_url)
    provider_id = uuid.uuid4()
    cipher = None
    if data.api_key:
        cipher = state.secret_box.encrypt(data.api_key, workspace_id=principal.workspace_id, provider_id=provider_id)
    row = await postgres.fetch_one(
        q.INSERT,
        {
            "id": provider_id,
            "workspace_id": principal.workspace_id,
            "name": data.name,
            "kind": data.kind,
            "base_url": data.base_url,
            "cipher": cipher,
            "hint": hint(data.api_key) if data.api_key else None,
            "default_model": data.default_model,
        },
    )
    if row is None:
        raise Conflict(f"a provider named {data.name!r} already exists")
    return provider_from_row(row)


@get(BASE + "/{provider_id:uuid}")
async def read_provider(
    provider_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> Provider:
    row = await postgres.fetch_one(q.BY_ID, {"workspace_id": principal.workspace_id, "id": provider_id})
    if row is None:
        raise NotFound("provider not found")
    return provider_from_row(row)


@patch(BASE + "/{provider_id:uuid}", opt=ADMIN)
async def update_provider(
    request: Request[Any, Any, Any],
    provider_id: FromPath[uuid.UUID],
    data: JSONBody[ProviderUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Provider:
    existing = await postgres.fetch_one(q.BY_ID, {"workspace_id": principal.workspace_id, "id": provider_id})
    if existing is None:
        raise NotFound("provider not found")
    state = request.app.state
    if isinstance(data.base_url, str):
        split_url(data.base_url)  # its form first (400); the policy below, after the key check
    if existing["kind"] == "openai_compatible" and data.base_url is None:
        raise Conflict("an openai_compatible provider needs a base_url")
    if data.base_url is not msgspec.UNSET and data.api_key is msgspec.UNSET and existing["api_key_cipher"] is not None:
        default = provider_for(existing["kind"]).default_base_url
        if _origin(existing["base_url"] or default) != _origin(data.base_url or default):
            # The key was given for the old server; moving it to a new one must be a deliberate act
            # of someone who knows the key, or anyone allowed to edit the URL could collect it.
            raise BadRequest(
                "base_url points to another server (scheme, host or port): send the api_key for it again, "
                'or "api_key": null to drop the stored key'
            )
    if isinstance(data.base_url, str):
        # After the key check: moving a key elsewhere is refused for that reason first.
        await _check_destination(state, data.base_url)
    key = data.api_key
    params: dict[str, Any] = {
        "workspace_id": principal.workspace_id,
        "id": provider_id,
        "set_name": data.name is not msgspec.UNSET,
        "name": None if data.name is msgspec.UNSET else data.name,
        "set_base_url": data.base_url is not msgspec.UNSET,
        "base_url": None if data.base_url is msgspec.UNSET else data.base_url,
        "set_default_model": data.default_model is not msgspec.UNSET,
        "default_model": None if data.default_model is msgspec.UNSET else data.default_model,
        "set_key": key is not msgspec.UNSET,
        "cipher": state.secret_box.encrypt(key, workspace_id=principal.workspace_id, provider_id=provider_id)
        if isinstance(key, str) and key
        else None,
        "hint": hint(key) if isinstance(key, str) and key else None,
    }
    try:
        row = await postgres.fetch_one(q.UPDATE, params)
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a provider named {data.name!r} already exists") from None
    return provider_from_row(row)


async def _check_destination(state: Any, base_url: str) -> None:
    """Saving asks the egress policy what a call would (the name resolved, the allowlist applied),
    so a provider the playground can never reach is refused with the reason at once instead of
    saving quietly and failing at Test. A well-formed URL the policy refuses is a 422 naming the
    host and why. Every call still checks again: the allowlist and DNS can change after saving."""
    try:
        await state.egress.check(base_url)
    except Forbidden as exc:
        raise Unprocessable(f"base_url refused by the egress policy: {exc.detail}") from None


def _origin(url: str | None) -> tuple[str, str, int] | None:
    try:
        return split_url(url) if url else None
    except BadRequest:
        return None


@delete(BASE + "/{provider_id:uuid}", status_code=200, opt=ADMIN)
async def delete_provider(
    provider_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, str]:
    if await postgres.fetch_one(q.DELETE, {"workspace_id": principal.workspace_id, "id": provider_id}) is None:
        raise NotFound("provider not found")
    return {"message": "provider deleted"}


@get(BASE + "/{provider_id:uuid}/models")
async def list_models(
    request: Request[Any, Any, Any],
    provider_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> list[str]:
    """The models the provider offers, asked of the provider itself."""
    config, _ = await load_provider(request.app.state, postgres, principal.workspace_id, str(provider_id))
    async with upstream(config):
        return await provider_for(config.kind).list_models(request.app.state.http, config)


ROUTES = [list_providers, create_provider, read_provider, update_provider, delete_provider, list_models]
