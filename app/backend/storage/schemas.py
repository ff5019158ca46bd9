"""Wire shapes of the storage report. Bytes of ClickHouse are estimates (worker/storage.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from app.core.storage import BudgetState


class ProjectUsage(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    bytes: int
    runs: int


class UsagePoint(msgspec.Struct, kw_only=True):
    sampled_at: dt.datetime
    bytes: int


class WorkspaceUsage(msgspec.Struct, kw_only=True):
    sampled_at: dt.datetime | None
    bytes: int | None
    runs: int
    projects: list[ProjectUsage]
    trend: list[UsagePoint]


class InstallationUsage(msgspec.Struct, kw_only=True):
    """The whole appliance: shown to every admin, naming no workspace."""

    sampled_at: dt.datetime | None
    clickhouse_bytes: int | None
    postgres_bytes: int | None
    redis_bytes: int | None
    total_bytes: int | None
    budget: BudgetState | None


class StorageUsage(msgspec.Struct, kw_only=True):
    workspace: WorkspaceUsage
    installation: InstallationUsage


def workspace_from_rows(
    at: dt.datetime | None, rows: list[dict[str, Any]], trend: list[dict[str, Any]]
) -> WorkspaceUsage:
    own = next((r for r in rows if r["project_id"] is None), None)
    projects = [
        ProjectUsage(id=r["project_id"], name=r["name"], bytes=r["bytes"], runs=r["runs"])
        for r in rows
        if r["project_id"] is not None and r["name"] is not None
    ]
    return WorkspaceUsage(
        sampled_at=at,
        bytes=own["bytes"] if own else None,
        runs=own["runs"] if own else 0,
        projects=projects,
        trend=[UsagePoint(sampled_at=t["sampled_at"], bytes=t["bytes"]) for t in trend],
    )


def installation_from_row(row: dict[str, Any] | None, budget: BudgetState | None) -> InstallationUsage:
    return InstallationUsage(
        sampled_at=row["sampled_at"] if row else None,
        clickhouse_bytes=row["clickhouse_bytes"] if row else None,
        postgres_bytes=row["postgres_bytes"] if row else None,
        redis_bytes=row["redis_bytes"] if row else None,
        total_bytes=row["total_bytes"] if row else None,
        budget=budget,
    )
