"""GET /api/v1/sessions/{project_id}/timeseries: a project's runs over time, for monitoring charts.

One window, cut into buckets (chosen so there are about 60, or as asked), with per bucket: runs
counted (traces by default), errors and error rate, latency p50/p99, first-token p50, token and
cost sums and the number of LLM calls. Empty buckets are filled in, so a chart is continuous;
`totals` holds the same figures over the whole window (percentiles do not add up across buckets).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from functools import partial
from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from app.backend.monitoring import queries as q
from app.backend.monitoring.schemas import ModelCost, SeriesPoint, TimeSeries
from app.backend.projects.service import own_project
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse, check_time
from app.core.concurrency import side_by_side
from app.core.errors import BadRequest
from app.core.postgres import Postgres

DEFAULT_WINDOW = dt.timedelta(hours=24)
MAX_WINDOW = dt.timedelta(days=400)
MAX_BUCKETS = 1000
TARGET_BUCKETS = 60
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Bucket sizes picked automatically: the smallest that gives at most TARGET_BUCKETS buckets.
NICE_INTERVALS = (
    "10s", "30s", "1m", "2m", "5m", "10m", "15m", "30m", "1h", "2h", "3h", "6h", "12h", "1d", "2d", "7d",
)  # fmt: skip
INTERVAL = re.compile(r"^([1-9][0-9]{0,5})([smhd])$")


def interval_seconds(text: str) -> int:
    match = INTERVAL.match(text.strip())
    if not match:
        raise BadRequest(f"invalid interval {text!r}: use a number and a unit s, m, h or d, e.g. 5m, 1h, 1d")
    return int(match.group(1)) * UNITS[match.group(2)]


def pick_interval(window: dt.timedelta) -> str:
    seconds = window.total_seconds()
    for name in NICE_INTERVALS:
        if seconds / interval_seconds(name) <= TARGET_BUCKETS:
            return name
    return NICE_INTERVALS[-1]


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _point(start: dt.datetime, row: tuple[Any, ...] | None) -> SeriesPoint:
    if row is None:
        return SeriesPoint(
            start_time=start,
            run_count=0,
            error_count=0,
            error_rate=None,
            latency_p50=None,
            latency_p99=None,
            first_token_p50=None,
            prompt_tokens=0,
            completion_tokens=0,
            total_tokens=0,
            total_cost=None,
            llm_calls=0,
        )
    _, runs, errors, latency, first_token, prompt, completion, total, cost, llm_calls = row
    return SeriesPoint(
        start_time=start,
        run_count=runs,
        error_count=errors,
        error_rate=errors / runs if runs else None,
        latency_p50=_number(latency[0]) if runs and latency else None,
        latency_p99=_number(latency[1]) if runs and latency else None,
        first_token_p50=_number(first_token) if runs else None,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total,
        total_cost=_number(cost),
        llm_calls=llm_calls,
    )


@get("/api/v1/sessions/{project_id:uuid}/timeseries")
async def project_timeseries(
    *,
    project_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    start_time: FromQuery[dt.datetime | None] = None,
    end_time: FromQuery[dt.datetime | None] = None,
    interval: FromQuery[str | None] = None,
    is_root: FromQuery[bool | None] = None,
    run_type: FromQuery[str | None] = None,
) -> TimeSeries:
    """`start_time`/`end_time` default to the last 24 hours (end exclusive); `interval` (e.g. 1m,
    5m, 1h, 1d) defaults to the size giving about 60 buckets. Runs counted: roots (traces) unless
    `is_root` or `run_type` says otherwise (`run_type=llm` alone counts every LLM call)."""
    workspace = principal.workspace_id
    await own_project(postgres, workspace, project_id)
    end = check_time(end_time) if end_time else dt.datetime.now(dt.UTC)
    start = check_time(start_time) if start_time else end - DEFAULT_WINDOW
    if end <= start:
        raise BadRequest("end_time must be after start_time")
    if end - start > MAX_WINDOW:
        raise BadRequest(f"the window is too long: at most {MAX_WINDOW.days} days")
    name = interval.strip() if interval else pick_interval(end - start)
    step = interval_seconds(name)
    first = int(start.timestamp()) // step * step
    count = math.ceil((end.timestamp() - first) / step)
    if count > MAX_BUCKETS:
        raise BadRequest(f"interval {name} gives {count} buckets; at most {MAX_BUCKETS}: use a larger interval")
    counted = is_root if is_root is not None else (True if run_type is None else None)
    params = {
        "workspace_id": str(workspace),
        "project_id": str(project_id),
        "start": start,
        "end": end,
        "interval": step,
        "is_root": counted,
        "run_type": run_type,
    }
    by_bucket, totals, unpriced, by_model = await side_by_side(
        partial(clickhouse.aquery, q.SERIES_BY_BUCKET, params),
        partial(clickhouse.aquery, q.SERIES_TOTALS, params),
        partial(clickhouse.aquery, q.UNPRICED_MODELS, params),
        partial(clickhouse.aquery, q.COST_BY_MODEL, params),
    )
    rows = {int(r[0]): r for r in by_bucket}
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    buckets = [_point(epoch + dt.timedelta(seconds=b), rows.get(b)) for b in range(first, first + count * step, step)]
    return TimeSeries(
        start_time=epoch + dt.timedelta(seconds=first),
        end_time=end,
        interval=name,
        interval_seconds=step,
        is_root=counted,
        run_type=run_type,
        totals=_point(start, totals[0] if totals else None),  # one row even when nothing matched
        buckets=buckets,
        unpriced_models=[str(r[0]) for r in unpriced],
        cost_by_model=[
            ModelCost(
                model_name=str(r[0]),
                model_provider=str(r[1]),
                llm_calls=r[2],
                prompt_tokens=r[3],
                completion_tokens=r[4],
                prompt_cost=float(r[5] or 0),
                completion_cost=float(r[6] or 0),
                total_cost=float(r[7] or 0),
            )
            for r in by_model
        ],
    )


ROUTES = [project_timeseries]
