"""A workspace's model providers as the other playground resources use them: the provider a call
names, ready to call, and the rows behind /v1/models."""

from __future__ import annotations

import uuid
from typing import Any

from app.core.errors import NotFound
from app.core.postgres import Postgres
from playground.model_providers import queries as q
from playground.providers import provider_for
from playground.providers.base import ProviderConfig


async def provider_named(postgres: Postgres, workspace_id: uuid.UUID, name: str) -> dict[str, Any] | None:
    return await postgres.fetch_one(q.BY_NAME, {"workspace_id": workspace_id, "name": name})


async def list_provider_rows(postgres: Postgres, workspace_id: uuid.UUID) -> list[dict[str, Any]]:
    return await postgres.fetch_all(q.LIST, {"workspace_id": workspace_id})


async def load_provider(
    state: Any, postgres: Postgres, workspace_id: uuid.UUID, ref: str | None
) -> tuple[ProviderConfig, dict[str, Any]]:
    """The provider a call names (its name or id; the workspace's only provider when there is
    one and none is named), ready to call: key decrypted, base URL checked for egress."""
    params: dict[str, Any] = {"workspace_id": workspace_id}
    if ref is None:
        rows = await postgres.fetch_all(q.LIST, params)
        if len(rows) != 1:
            raise NotFound("name a provider (several or none are configured; see /api/v1/playground/providers)")
        row = rows[0]
    else:
        try:
            row = await postgres.fetch_one(q.BY_ID, {**params, "id": uuid.UUID(ref)})
        except ValueError:
            row = await postgres.fetch_one(q.BY_NAME, {**params, "name": ref})
        if row is None:
            raise NotFound(f"no provider named {ref!r} in this workspace")
    api_key = None
    if row["api_key_cipher"] is not None:
        api_key = state.secret_box.decrypt(
            bytes(row["api_key_cipher"]), workspace_id=workspace_id, provider_id=row["id"]
        )
    base_url = row["base_url"] or provider_for(row["kind"]).default_base_url
    # Saving refuses a kind without a default base URL unless one is given.
    assert base_url is not None
    await state.egress.check(base_url)
    return ProviderConfig(kind=row["kind"], name=row["name"], base_url=base_url, api_key=api_key), row
