"""Wire schemas for /api/v1/sessions, as the LangSmith SDK sends and reads them (wire §4)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from app.core.retention import MAX_DAYS, TIERS


class ProjectCreate(msgspec.Struct, kw_only=True):
    name: str
    id: uuid.UUID | None = None
    description: str | None = None
    extra: dict[str, Any] | None = None
    reference_dataset_id: uuid.UUID | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    # Retention (the SDK's v2 `sessions.create`; admins only): null means the workspace's.
    trace_tier: str | None = None
    longlived_ttl_days: int | None = None
    payload_ttl_days: int | None = None

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name or len(self.name) > 400:
            raise ValueError("name must be 1 to 400 characters")
        check_retention(self.trace_tier, self.longlived_ttl_days, self.payload_ttl_days)

    def sets_retention(self) -> bool:
        return any(v is not None for v in (self.trace_tier, self.longlived_ttl_days, self.payload_ttl_days))


def check_retention(trace_tier: Any, longlived_ttl_days: Any, payload_ttl_days: Any) -> None:
    if isinstance(trace_tier, str) and trace_tier not in TIERS:
        raise ValueError(f"trace_tier must be one of {', '.join(TIERS)}")
    for name, value in (("longlived_ttl_days", longlived_ttl_days), ("payload_ttl_days", payload_ttl_days)):
        if isinstance(value, int) and not 1 <= value <= MAX_DAYS:
            raise ValueError(f"{name} must be between 1 and {MAX_DAYS} days")


class ProjectUpdate(msgspec.Struct, kw_only=True):
    """PATCH body: the SDK always sends all four keys; null means unchanged. The retention
    fields (the SDK's v2 `sessions.update`) are admins': absent means unchanged, null means "as
    the workspace says" (app/backend/retention)."""

    name: str | None = None
    description: str | None = None
    extra: dict[str, Any] | None = None
    end_time: dt.datetime | None = None
    trace_tier: str | msgspec.UnsetType | None = msgspec.UNSET
    longlived_ttl_days: int | msgspec.UnsetType | None = msgspec.UNSET
    payload_ttl_days: int | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        if self.name is not None:
            self.name = self.name.strip()
            if not self.name or len(self.name) > 400:
                raise ValueError("name must be 1 to 400 characters")
        check_retention(self.trace_tier, self.longlived_ttl_days, self.payload_ttl_days)


class Project(msgspec.Struct, kw_only=True):
    """TracerSession: `id`, `tenant_id` and the key `reference_dataset_id` are required by the SDK."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    description: str | None
    extra: dict[str, Any] | None
    reference_dataset_id: uuid.UUID | None
    start_time: dt.datetime
    end_time: dt.datetime | None
    # The project's own retention choices; null means the workspace's (GET /api/v1/retention).
    trace_tier: str | None = None
    longlived_ttl_days: int | None = None
    payload_ttl_days: int | None = None
    # With include_stats (wire §4): computed in ClickHouse.
    run_count: int | msgspec.UnsetType = msgspec.UNSET
    latency_p50: float | msgspec.UnsetType | None = msgspec.UNSET
    latency_p99: float | msgspec.UnsetType | None = msgspec.UNSET
    first_token_p50: float | msgspec.UnsetType | None = msgspec.UNSET
    first_token_p99: float | msgspec.UnsetType | None = msgspec.UNSET
    prompt_tokens: int | msgspec.UnsetType = msgspec.UNSET
    completion_tokens: int | msgspec.UnsetType = msgspec.UNSET
    total_tokens: int | msgspec.UnsetType = msgspec.UNSET
    prompt_cost: Any = msgspec.UNSET
    completion_cost: Any = msgspec.UNSET
    total_cost: Any = msgspec.UNSET
    error_rate: float | msgspec.UnsetType | None = msgspec.UNSET
    last_run_start_time: dt.datetime | msgspec.UnsetType | None = msgspec.UNSET
    feedback_stats: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    # Tracehouse's own: models of LLM runs with tokens but no cost (their cost is unknown, not 0).
    unpriced_models: list[str] | msgspec.UnsetType = msgspec.UNSET


EMPTY_STATS: dict[str, Any] = {
    "run_count": 0,
    "latency_p50": None,
    "latency_p99": None,
    "first_token_p50": None,
    "first_token_p99": None,
    "prompt_tokens": 0,
    "completion_tokens": 0,
    "total_tokens": 0,
    "prompt_cost": None,
    "completion_cost": None,
    "total_cost": None,
    "error_rate": None,
    "last_run_start_time": None,
    "feedback_stats": {},
    "unpriced_models": [],
}


def with_stats(project: Project, stats: dict[str, Any] | None) -> Project:
    return msgspec.structs.replace(project, **{**EMPTY_STATS, **(stats or {})})


def project_from_row(row: dict[str, Any]) -> Project:
    """Storage row → wire object: the one mapping between the two layers."""
    return Project(
        id=row["id"],
        tenant_id=row["workspace_id"],
        name=row["name"],
        description=row["description"],
        extra=row["extra"],
        reference_dataset_id=row["reference_dataset_id"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        trace_tier=row.get("trace_tier"),
        longlived_ttl_days=row.get("longlived_ttl_days"),
        payload_ttl_days=row.get("payload_ttl_days"),
    )
