"""The disk budget's state, shared by the queue service (which samples usage and writes it) and
the API (which shows it), and readable by anything that wants to act on it (an alert webhook):
`current_budget_state(redis)`.

The forecast is a least-squares line through the installation's total bytes over the last
FORECAST_DAYS: where it crosses the budget is the day the budget is reached. A flat or shrinking
total has no such day.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
import redis
import redis.asyncio as aredis

from app.core import redis_keys

FORECAST_DAYS = 7
Status = Literal["none", "ok", "warning", "exceeded"]


class BudgetState(msgspec.Struct, kw_only=True, frozen=True):
    """`status`: none (no budget set), ok, warning (forecast to reach the budget within
    `warn_days`), exceeded. Bytes are the whole installation's (ClickHouse + Postgres + Redis)."""

    status: Status
    checked_at: dt.datetime
    used_bytes: int
    budget_bytes: int | None
    warn_days: int
    growth_bytes_per_day: float | None
    days_left: float | None
    forecast_at: dt.datetime | None
    # Runs partitions (toYYYYMM) whose payloads enforcement cleared in this check.
    cleared_partitions: list[str] = msgspec.field(default_factory=list)


def forecast(
    samples: list[tuple[dt.datetime, int]], budget: int | None, warn_days: int, now: dt.datetime
) -> BudgetState:
    """`samples`: (when, total bytes), any order; the newest is the current usage."""
    ordered = sorted(samples)
    used = ordered[-1][1] if ordered else 0
    recent = [(t, b) for t, b in ordered if t >= now - dt.timedelta(days=FORECAST_DAYS)]
    growth = _slope_per_day(recent)
    days_left = forecast_at = None
    if budget is not None and growth is not None and growth > 0 and used < budget:
        days_left = (budget - used) / growth
        forecast_at = now + dt.timedelta(days=min(days_left, 36500))
    status: Status
    if budget is None:
        status = "none"
    elif used >= budget:
        status = "exceeded"
    elif days_left is not None and days_left <= warn_days:
        status = "warning"
    else:
        status = "ok"
    return BudgetState(
        status=status,
        checked_at=now,
        used_bytes=used,
        budget_bytes=budget,
        warn_days=warn_days,
        growth_bytes_per_day=growth,
        days_left=days_left,
        forecast_at=forecast_at,
    )


def _slope_per_day(points: list[tuple[dt.datetime, int]]) -> float | None:
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [(t - origin).total_seconds() / 86400 for t, _ in points]
    ys = [float(b) for _, b in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    if spread == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread


_decoder = msgspec.msgpack.Decoder(BudgetState)


def encode_state(state: BudgetState) -> bytes:
    return msgspec.msgpack.encode(state)


def current_budget_state(connection: redis.Redis) -> BudgetState | None:
    """The last check's state, or None before the first check."""
    raw = connection.get(redis_keys.STORAGE_BUDGET_STATE)
    return _decoder.decode(raw) if isinstance(raw, bytes) else None


async def current_budget_state_async(connection: aredis.Redis) -> BudgetState | None:
    raw = await connection.get(redis_keys.STORAGE_BUDGET_STATE)
    return _decoder.decode(raw) if isinstance(raw, bytes) else None
