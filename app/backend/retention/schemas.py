"""Wire schemas for /api/v1/retention: a workspace's retention tiers (LangSmith's names)."""

from __future__ import annotations

from typing import Any

import msgspec

from app.core.retention import DEFAULT_LONG_DAYS, DEFAULT_SHORT_DAYS, LONG, MAX_DAYS, TIERS


def check_days(name: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_DAYS:
        raise ValueError(f"{name} must be between 1 and {MAX_DAYS} days")


def check_tier(name: str, value: str | None) -> None:
    if value is not None and value not in TIERS:
        raise ValueError(f"{name} must be one of {', '.join(TIERS)}")


class WorkspaceRetention(msgspec.Struct, kw_only=True):
    """The tiers in days, the tier a project gets unless it chooses, and the payload-first days
    (null: payloads are kept as long as their runs)."""

    default_trace_tier: str
    shortlived_ttl_days: int
    longlived_ttl_days: int
    payload_ttl_days: int | None


DEFAULT_RETENTION = WorkspaceRetention(
    default_trace_tier=LONG,
    shortlived_ttl_days=DEFAULT_SHORT_DAYS,
    longlived_ttl_days=DEFAULT_LONG_DAYS,
    payload_ttl_days=None,
)


class WorkspaceRetentionUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """PATCH body: an absent field is unchanged; `payload_ttl_days: null` turns payload-first off."""

    default_trace_tier: str | msgspec.UnsetType = msgspec.UNSET
    shortlived_ttl_days: int | msgspec.UnsetType = msgspec.UNSET
    longlived_ttl_days: int | msgspec.UnsetType = msgspec.UNSET
    payload_ttl_days: int | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        if self.default_trace_tier is not msgspec.UNSET:
            check_tier("default_trace_tier", self.default_trace_tier)
        for name in ("shortlived_ttl_days", "longlived_ttl_days", "payload_ttl_days"):
            value = getattr(self, name)
            if value is not msgspec.UNSET:
                check_days(name, value)


def retention_from_row(row: dict[str, Any] | None) -> WorkspaceRetention:
    """Storage row → wire object; no row means the defaults."""
    if row is None:
        return DEFAULT_RETENTION
    return WorkspaceRetention(
        default_trace_tier=row["default_trace_tier"],
        shortlived_ttl_days=row["shortlived_ttl_days"],
        longlived_ttl_days=row["longlived_ttl_days"],
        payload_ttl_days=row["payload_ttl_days"],
    )
