"""GET /api/v1/storage/usage and /api/v1/storage/budget (admins): the caller's workspace and its
projects' bytes with their trend, and the installation's total against the disk budget (no other
workspace is named). Read from the samples of the queue service's storage check, so a report
costs a few indexed Postgres reads, never a ClickHouse scan."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import redis.asyncio as aredis
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from app.backend.storage import queries as q
from app.backend.storage.schemas import StorageUsage, installation_from_row, workspace_from_rows
from app.core.auth import Principal
from app.core.postgres import Postgres
from app.core.storage import BudgetState, current_budget_state_async


@get("/api/v1/storage/usage", opt={"role": "admin"})
async def storage_usage(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
    days: Annotated[int, QueryParameter(ge=1, le=90)] = 30,
) -> StorageUsage:
    w = {"workspace_id": principal.workspace_id}
    latest = await postgres.fetch_one(q.SELECT_LATEST_SAMPLE_AT, w)
    at = latest["at"] if latest else None
    rows = await postgres.fetch_all(q.SELECT_SAMPLE, {**w, "at": at}) if at else []
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    trend = await postgres.fetch_all(q.SELECT_WORKSPACE_TREND, {**w, "since": since})
    total = await postgres.fetch_one(q.SELECT_LATEST_TOTAL)
    budget = await current_budget_state_async(redis)
    return StorageUsage(
        workspace=workspace_from_rows(at, rows, trend), installation=installation_from_row(total, budget)
    )


@get("/api/v1/storage/budget", opt={"role": "admin"})
async def storage_budget(redis: NamedDependency[aredis.Redis]) -> BudgetState | None:
    """The last budget check (null before the first); the UI's banner reads it."""
    return await current_budget_state_async(redis)


ROUTES = [storage_usage, storage_budget]
