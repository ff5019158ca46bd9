"""Wire schemas for /api/v1/model-price-map, shaped like LangSmith's model price map entries
(prices are US dollars per token; answered as decimal strings, so they stay exact)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class ModelPriceWrite(msgspec.Struct, kw_only=True):
    """LangSmith's create schema; PUT takes the same whole entry. Prices may be numbers or
    decimal strings (the SDK's Decimal travels as a string)."""

    name: str
    match_pattern: str
    prompt_cost: Any
    completion_cost: Any
    start_time: dt.datetime | None = None
    match_path: list[str] | None = None
    prompt_cost_details: dict[str, Any] | None = None
    completion_cost_details: dict[str, Any] | None = None
    provider: str | None = None


class ModelPrice(msgspec.Struct, kw_only=True):
    id: str
    # null for a shipped default entry; the workspace's id for its own entries and overrides.
    tenant_id: str | None
    name: str
    match_pattern: str
    match_path: list[str]
    provider: str | None
    start_time: dt.datetime | None
    # Decimal text without an exponent ("0.00000015", not "1.5E-7"): exact, and readable as is.
    prompt_cost: str
    completion_cost: str
    prompt_cost_details: dict[str, str]
    completion_cost_details: dict[str, str]
    # Tracehouse extensions: where the entry comes from and whether it is in force.
    is_default: bool = False
    # Set on a workspace entry that replaces (or, disabled, removes) that default entry.
    default_id: str | None = None
    disabled: bool = False
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None


class PriceMatch(msgspec.Struct, kw_only=True):
    """GET /api/v1/model-price-map/match: the entry that would price a run of this model."""

    model_name: str
    provider: str | None
    start_time: dt.datetime
    match: ModelPrice | None
