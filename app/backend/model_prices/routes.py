"""/api/v1/model-price-map (LangSmith's model price map): list, create, update, delete; plus
/match, which answers which entry would price a run of a model (the UI's "test a model name").
Reads are the viewer's; writes are the admin's: prices decide every cost the workspace sees."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import redis.asyncio as aredis
from litestar import delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from app.backend.model_prices import queries as q
from app.backend.model_prices import service
from app.backend.model_prices.schemas import ModelPrice, ModelPriceWrite, PriceMatch
from app.core.auth import Principal
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.postgres import Postgres
from app.core.prices import MAX_MODEL_NAME, MAX_PROVIDER

PATH = "/api/v1/model-price-map"
ADMIN = {"role": "admin"}


@get(PATH)
async def list_model_prices(
    principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> list[ModelPrice]:
    return await service.listing(postgres, str(principal.workspace_id))


@post(PATH, status_code=200, opt=ADMIN)
async def create_model_price(
    data: JSONBody[ModelPriceWrite],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> ModelPrice:
    workspace = str(principal.workspace_id)
    values = service.checked(data)
    same = {k: values[k] for k in ("name", "match_pattern", "match_path", "provider", "start_time")}
    if await postgres.fetch_one(q.SELECT_DUPLICATE, {**same, "workspace_id": workspace}) is not None:
        raise Conflict("the workspace already has this entry (same name, pattern, path, provider and start time)")
    row = await service.create_row(postgres, workspace, values, default_id=None)
    assert row is not None  # only an override can meet the unique index
    await service.changed(redis, workspace)
    return service.from_row(row)


@put(PATH + "/{price_id:uuid}", opt=ADMIN)
async def update_model_price(
    price_id: uuid.UUID,
    data: JSONBody[ModelPriceWrite],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> ModelPrice:
    """An own entry is updated; a default entry gets (or updates) this workspace's override."""
    workspace = str(principal.workspace_id)
    values = service.checked(data)
    row = await postgres.fetch_one(q.SELECT_PRICE, {"workspace_id": workspace, "id": price_id})
    if row is None and service.default_by_id(str(price_id)) is not None:
        row = await postgres.fetch_one(q.SELECT_OVERRIDE, {"workspace_id": workspace, "default_id": price_id})
        if row is None:
            created = await service.create_row(postgres, workspace, values, default_id=str(price_id))
            if created is None:
                raise Conflict("this default entry was overridden at the same moment; try again")
            await service.changed(redis, workspace)
            return service.from_row(created)
    if row is None:
        raise NotFound(f"no model price {price_id}")
    updated = await postgres.fetch_one(
        q.UPDATE_PRICE, {**values, "workspace_id": workspace, "id": row["id"], "disabled": False}
    )
    if updated is None:
        raise NotFound(f"no model price {price_id}")
    await service.changed(redis, workspace)
    return service.from_row(updated)


@delete(PATH + "/{price_id:uuid}", status_code=204, opt=ADMIN)
async def delete_model_price(
    price_id: uuid.UUID,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> None:
    """An own entry (or an override, which brings its default back) is deleted; a default entry
    is disabled for this workspace."""
    workspace = str(principal.workspace_id)
    deleted = await postgres.fetch_one(q.DELETE_PRICE, {"workspace_id": workspace, "id": price_id})
    if deleted is None:
        default = service.default_by_id(str(price_id))
        if default is None:
            raise NotFound(f"no model price {price_id}")
        override = await postgres.fetch_one(q.SELECT_OVERRIDE, {"workspace_id": workspace, "default_id": price_id})
        if override is None:
            values = service.default_values(default)
            await service.create_row(postgres, workspace, values, default_id=default.id, disabled=True)
        elif not override["disabled"]:
            await postgres.fetch_one(
                q.UPDATE_PRICE,
                {**service.default_values(default), "workspace_id": workspace, "id": override["id"], "disabled": True},
            )
    await service.changed(redis, workspace)


@get(PATH + "/match")
async def match_model_price(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    model_name: Annotated[str, QueryParameter(min_length=1, max_length=MAX_MODEL_NAME)],
    provider: Annotated[str | None, QueryParameter(max_length=MAX_PROVIDER)] = None,
    start_time: Annotated[dt.datetime | None, QueryParameter()] = None,
) -> PriceMatch:
    at = start_time or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    entries = await service.listing(postgres, str(principal.workspace_id))
    found = service.price_list(entries).find(model_name, provider or None, at)
    if found is None:
        return PriceMatch(model_name=model_name, provider=provider, start_time=at, match=None)
    entry = next((e for e in entries if e.id == found.id), None)
    if entry is None:  # the list was built from these entries; nothing else lands here
        raise BadRequest("the matching entry changed while it was read; try again")
    return PriceMatch(model_name=model_name, provider=provider, start_time=at, match=entry)


ROUTES: list[Any] = [list_model_prices, match_model_price, create_model_price, update_model_price, delete_model_price]
