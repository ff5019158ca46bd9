"""The model price map of a workspace: the shipped defaults (app/core/default_model_prices.json)
with the workspace's own rows applied. A row without `default_id` is the workspace's own entry; a
row with one replaces that default entry (PUT on a default's id writes it) or, `disabled`, removes
it (DELETE on a default's id). Deleting an override brings the default back.

Every change bumps the workspace's counter in Redis, which tells the queue's writer to reload the
table before it prices the next run (worker/pricing.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
import redis.asyncio as aredis
from psycopg.types.json import Jsonb

from app.backend.model_prices import queries as q
from app.backend.model_prices.schemas import ModelPrice, ModelPriceWrite
from app.core import redis_keys
from app.core.errors import BadRequest
from app.core.postgres import Postgres
from app.core.prices import (
    COMPLETION_DETAIL_KEYS,
    MAX_NAME,
    MAX_PROVIDER,
    PROMPT_DETAIL_KEYS,
    Price,
    PriceError,
    PriceList,
    check_details,
    check_pattern,
    check_price,
    check_text,
    load_defaults,
    stored_price,
)

# Every entry is a regular expression the writer may try on each priced run: a bound on how many.
MAX_ENTRIES = 500
MAX_MATCH_PATH = 8
# LangSmith's default `match_path`: where it looks for the model name. Tracehouse reads the same
# places, in this order, into the run's model name at ingest (worker/normalize.py).
DEFAULT_MATCH_PATH = ["model", "model_name", "model_id", "model_path", "endpoint_name"]


@cache
def defaults() -> tuple[Price, ...]:
    return load_defaults()


def checked(data: ModelPriceWrite) -> dict[str, Any]:
    """The row values of a write, or BadRequest naming the field."""
    try:
        check_pattern(data.match_pattern)
        path = data.match_path if data.match_path is not None else DEFAULT_MATCH_PATH
        if len(path) > MAX_MATCH_PATH or any(not isinstance(p, str) or not 0 < len(p) <= 64 for p in path):
            raise PriceError(f"match_path must be at most {MAX_MATCH_PATH} short strings")
        start = data.start_time
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=dt.UTC)  # naive means UTC, as everywhere on the wire
        prompt_details = check_details(data.prompt_cost_details, "prompt_cost_details", PROMPT_DETAIL_KEYS)
        completion_details = check_details(
            data.completion_cost_details, "completion_cost_details", COMPLETION_DETAIL_KEYS
        )
        return {
            "name": check_text(data.name, "name", MAX_NAME, required=True),
            "provider": check_text(data.provider, "provider", MAX_PROVIDER, required=False),
            "match_pattern": data.match_pattern,
            "match_path": path,
            "start_time": start,
            "prompt_cost": check_price(data.prompt_cost, "prompt_cost"),
            "completion_cost": check_price(data.completion_cost, "completion_cost"),
            "prompt_cost_details": Jsonb({k: str(v) for k, v in prompt_details.items()}),
            "completion_cost_details": Jsonb({k: str(v) for k, v in completion_details.items()}),
        }
    except PriceError as exc:
        raise BadRequest(str(exc)) from None


def text(value: Any) -> str:
    """A price as exact decimal text without an exponent, trailing zeros dropped."""
    amount = Decimal(value).normalize()
    return format(amount, "f") if amount else "0"


def from_row(row: dict[str, Any]) -> ModelPrice:
    return ModelPrice(
        id=str(row["id"]),
        tenant_id=str(row["workspace_id"]),
        name=row["name"],
        match_pattern=row["match_pattern"],
        match_path=list(row["match_path"]),
        provider=row["provider"],
        start_time=row["start_time"],
        prompt_cost=text(row["prompt_cost"]),
        completion_cost=text(row["completion_cost"]),
        prompt_cost_details={k: text(v) for k, v in (row["prompt_cost_details"] or {}).items()},
        completion_cost_details={k: text(v) for k, v in (row["completion_cost_details"] or {}).items()},
        default_id=None if row["default_id"] is None else str(row["default_id"]),
        disabled=row["disabled"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
    )


def from_default(price: Price) -> ModelPrice:
    return ModelPrice(
        id=price.id,
        tenant_id=None,
        name=price.name,
        match_pattern=price.match_pattern,
        match_path=DEFAULT_MATCH_PATH,
        provider=price.provider,
        start_time=price.start_time,
        prompt_cost=text(price.prompt),
        completion_cost=text(price.completion),
        prompt_cost_details={k: text(v) for k, v in price.prompt_details.items()},
        completion_cost_details={k: text(v) for k, v in price.completion_details.items()},
        is_default=True,
    )


def default_by_id(price_id: str) -> Price | None:
    return next((p for p in defaults() if p.id == price_id), None)


async def listing(postgres: Postgres, workspace: str) -> list[ModelPrice]:
    """The workspace's own entries, then every default in file order, each replaced by the
    workspace's override of it when there is one (a disabled override stays listed, disabled)."""
    rows = await postgres.fetch_all(q.LIST_PRICES, {"workspace_id": workspace})
    overrides = {str(r["default_id"]): r for r in rows if r["default_id"] is not None}
    own = [from_row(r) for r in rows if r["default_id"] is None]
    shipped = [from_row(overrides[p.id]) if p.id in overrides else from_default(p) for p in defaults()]
    return own + shipped


def price_list(entries: list[ModelPrice]) -> PriceList:
    """The same table the writer builds (worker/pricing.py), from a listing."""
    own: list[Price] = []
    shipped: list[Price] = []
    for entry in entries:
        if entry.disabled:
            continue
        (shipped if entry.is_default else own).append(
            stored_price(msgspec.structs.asdict(entry), is_default=entry.is_default)
        )
    return PriceList(own, shipped)


async def changed(redis: aredis.Redis, workspace: str) -> None:
    await redis.hincrby(redis_keys.PRICES_GENERATION, workspace, 1)


async def create_row(postgres: Postgres, workspace: str, values: dict[str, Any], *, default_id: str | None,
                     disabled: bool = False) -> dict[str, Any] | None:  # fmt: skip
    count = await postgres.fetch_one(q.COUNT_PRICES, {"workspace_id": workspace})
    if count["n"] >= MAX_ENTRIES:
        raise BadRequest(f"a workspace may have at most {MAX_ENTRIES} model prices of its own")
    params = {**values, "id": uuid.uuid4(), "workspace_id": workspace, "default_id": default_id, "disabled": disabled}
    row: dict[str, Any] | None = await postgres.fetch_one(q.INSERT_PRICE, params)
    return row


def default_values(price: Price) -> dict[str, Any]:
    """A default entry as row values (a disabled override keeps what it replaced, for the UI)."""
    return {
        "name": price.name,
        "provider": price.provider,
        "match_pattern": price.match_pattern,
        "match_path": DEFAULT_MATCH_PATH,
        "start_time": price.start_time,
        "prompt_cost": price.prompt,
        "completion_cost": price.completion,
        "prompt_cost_details": Jsonb({k: str(v) for k, v in price.prompt_details.items()}),
        "completion_cost_details": Jsonb({k: str(v) for k, v in price.completion_details.items()}),
    }
