"""Wire schema of GET /api/v1/sessions/{project_id}/timeseries."""

from __future__ import annotations

import datetime as dt

import msgspec


class SeriesPoint(msgspec.Struct, kw_only=True):
    """One bucket (or, as `totals`, the whole window). Empty buckets have zero counts and sums
    and null rates and percentiles, so a chart can draw a gap or a zero as it sees fit."""

    start_time: dt.datetime
    run_count: int
    error_count: int
    error_rate: float | None
    latency_p50: float | None
    latency_p99: float | None
    first_token_p50: float | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    total_cost: float | None
    llm_calls: int


class ModelCost(msgspec.Struct, kw_only=True):
    """One model's spend over the window (its priced LLM runs)."""

    model_name: str
    model_provider: str
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    prompt_cost: float
    completion_cost: float
    total_cost: float


class TimeSeries(msgspec.Struct, kw_only=True):
    start_time: dt.datetime  # the first bucket's start (the window's start, aligned down)
    end_time: dt.datetime  # the window's end (exclusive)
    interval: str  # e.g. "30m"
    interval_seconds: int
    is_root: bool | None  # which runs were counted: roots (traces), children, or all (null)
    run_type: str | None
    totals: SeriesPoint
    buckets: list[SeriesPoint]
    # Models of the window's LLM runs with tokens but no cost ("" for runs naming no model), most
    # tokens first: their cost is unknown, so `total_cost` leaves them out.
    unpriced_models: list[str] = msgspec.field(default_factory=list)
    # Spend per model over the window, most spent first (priced LLM runs only).
    cost_by_model: list[ModelCost] = msgspec.field(default_factory=list)
