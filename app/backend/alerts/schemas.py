"""Wire schemas for /api/v1/alert-rules."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

Metric = Literal[
    "error_rate", "latency_p50", "latency_p95", "latency_p99", "cost_per_hour", "run_count", "feedback_avg"
]
Comparison = Literal["gt", "gte", "lt", "lte"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Window = Annotated[int, msgspec.Meta(ge=1, le=10080)]  # up to a week
Streak = Annotated[int, msgspec.Meta(ge=1, le=100)]
Threshold = Annotated[float, msgspec.Meta(ge=-1e15, le=1e15)]


class AlertRuleCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    project_id: uuid.UUID
    name: Name
    metric: Metric
    window_minutes: Window
    comparison: Comparison
    threshold: Threshold
    feedback_key: Annotated[str, msgspec.Meta(min_length=1, max_length=512)] | None = None
    breaches_to_fire: Streak = 1
    oks_to_resolve: Streak = 1
    webhook_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    enabled: bool = True


class AlertRuleUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name | None = None
    metric: Metric | None = None
    window_minutes: Window | None = None
    comparison: Comparison | None = None
    threshold: Threshold | None = None
    feedback_key: Annotated[str, msgspec.Meta(min_length=1, max_length=512)] | None = None
    breaches_to_fire: Streak | None = None
    oks_to_resolve: Streak | None = None
    webhook_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)] | None = None
    enabled: bool | None = None


class AlertRule(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    metric: str
    feedback_key: str | None
    window_minutes: int
    comparison: str
    threshold: float
    breaches_to_fire: int
    oks_to_resolve: int
    webhook_ids: list[uuid.UUID]
    enabled: bool
    state: str  # ok or firing
    # Consecutive breaches so far while ok, consecutive non-breaches while firing.
    streak: int
    last_value: float | None
    last_evaluated_at: dt.datetime | None
    created_at: dt.datetime
    modified_at: dt.datetime


class Incident(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    fired_at: dt.datetime
    fired_value: float | None
    resolved_at: dt.datetime | None
    resolved_value: float | None


RULE_FIELDS = tuple(f for f in AlertRule.__struct_fields__)


def rule_from_row(row: dict[str, Any]) -> AlertRule:
    return AlertRule(**{f: row[f] for f in RULE_FIELDS})


def incident_from_row(row: dict[str, Any]) -> Incident:
    return Incident(**{f: row[f] for f in Incident.__struct_fields__})
