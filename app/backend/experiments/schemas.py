"""Wire schemas for comparative experiments and the dataset comparison view."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class ComparativeCreate(msgspec.Struct, kw_only=True):
    experiment_ids: list[uuid.UUID]
    reference_dataset_id: uuid.UUID | None = None
    id: uuid.UUID | None = None
    name: str | None = None
    description: str | None = None
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    extra: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if len(set(self.experiment_ids)) < 2:
            raise ValueError("a comparative experiment needs at least two different experiments")


class ComparativeExperiment(msgspec.Struct, kw_only=True):
    """schemas.ComparativeExperiment: id, tenant_id, created_at, modified_at, reference_dataset_id."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str | None
    description: str | None
    reference_dataset_id: uuid.UUID
    created_at: dt.datetime
    modified_at: dt.datetime
    extra: dict[str, Any] | None
    experiments_info: list[dict[str, Any]]
    feedback_stats: dict[str, Any] | None = None


class CompareRequest(msgspec.Struct, kw_only=True):
    """The comparison view's query: which experiments, which page of the dataset."""

    experiment_ids: list[uuid.UUID]
    limit: int = 50
    offset: int = 0
    as_of: str | None = None
    splits: list[str] | None = None
    example_ids: list[uuid.UUID] | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.experiment_ids) <= 10:
            raise ValueError("compare 1 to 10 experiments")
        if not 1 <= self.limit <= 200:
            raise ValueError("limit must be between 1 and 200")
        if self.offset < 0:
            raise ValueError("offset must not be negative")


class ExamplesWithRunsQuery(msgspec.Struct, kw_only=True):
    """The deprecated `POST /datasets/{id}/runs` (the SDK's get_experiment_results)."""

    session_ids: list[uuid.UUID]
    offset: int = 0
    limit: int = 100
    preview: bool = False
    comparative_experiment_id: uuid.UUID | None = None
    filters: dict[str, Any] | None = None


class FeedbackCell(msgspec.Struct, kw_only=True):
    n: int
    avg: float | None
    value: Any = None
    comment: str | None = None


class RunCell(msgspec.Struct, kw_only=True):
    """One experiment's run on one example (several with repetitions)."""

    id: uuid.UUID
    trace_id: uuid.UUID
    status: str
    error: str | None
    outputs: dict[str, Any] | None
    latency: float | None
    total_tokens: int
    total_cost: float | None
    start_time: dt.datetime
    feedback: dict[str, FeedbackCell]


class ExampleRow(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    metadata: dict[str, Any]
    runs: dict[str, list[RunCell]]


class FeedbackAggregate(msgspec.Struct, kw_only=True):
    n: int
    avg: float | None
    stdev: float | None


class ExperimentSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    start_time: dt.datetime
    metadata: dict[str, Any]
    run_count: int
    example_count: int
    error_rate: float | None
    latency_p50: float | None
    latency_p99: float | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    total_cost: float | None
    feedback: dict[str, FeedbackAggregate]
    session_feedback: dict[str, FeedbackAggregate]


class Comparison(msgspec.Struct, kw_only=True):
    dataset_id: uuid.UUID
    experiments: list[ExperimentSummary]
    examples: list[ExampleRow]
    total: int
    next_offset: int | None
