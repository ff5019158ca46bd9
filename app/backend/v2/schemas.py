"""Request bodies of the v2 endpoints, as the SDK's generated client sends them (its
`types/*_params.py`). Fields the client sends that are not served here are declared so that they
can be refused by name (service.unsupported) rather than ignored."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class RunsQuery(msgspec.Struct, kw_only=True):
    project_ids: list[uuid.UUID] | None = None
    reference_dataset_id: uuid.UUID | None = None
    ids: list[uuid.UUID] | None = None
    trace_id: uuid.UUID | None = None
    is_root: bool | None = None
    has_error: bool | None = None
    run_type: str | None = None
    reference_examples: list[uuid.UUID] | None = None
    filter: str | None = None
    trace_filter: str | None = None
    tree_filter: str | None = None
    min_start_time: dt.datetime | None = None
    max_start_time: dt.datetime | None = None
    selects: list[str] | None = None
    page_size: int = 100
    cursor: str | None = None
    include_subtree_usage: bool = False
    ai_search: str | None = None
    sem_filter: str | None = None
    min_feedback_modified_at: dt.datetime | None = None
    max_feedback_modified_at: dt.datetime | None = None


class TracesQuery(msgspec.Struct, kw_only=True):
    project_id: uuid.UUID | None = None
    trace_ids: list[uuid.UUID] | None = None
    trace_filter: str | None = None
    tree_filter: str | None = None
    min_start_time: dt.datetime | None = None
    max_start_time: dt.datetime | None = None
    selects: list[str] | None = None
    page_size: int = 100
    cursor: str | None = None
    ai_search: str | None = None
    sem_filter: str | None = None
    min_feedback_modified_at: dt.datetime | None = None
    max_feedback_modified_at: dt.datetime | None = None


class ThreadsQuery(msgspec.Struct, kw_only=True):
    project_id: uuid.UUID | None = None
    min_start_time: dt.datetime | None = None
    max_start_time: dt.datetime | None = None
    page_size: int = 20
    cursor: str | None = None
    filter: str | None = None
    thread_filter: str | None = None
    trace_filter: str | None = None
    tree_filter: str | None = None
    ai_search: str | None = None
    sem_filter: str | None = None


class ShareCreate(msgspec.Struct, kw_only=True):
    session_id: uuid.UUID
    trace_id: uuid.UUID


class ShareDelete(msgspec.Struct, kw_only=True):
    session_id: uuid.UUID


class PublicRunsQuery(msgspec.Struct, kw_only=True):
    selects: list[str] | None = None


class ExperimentRunsQuery(msgspec.Struct, kw_only=True):
    experiment_ids: list[uuid.UUID]
    example_ids: list[uuid.UUID] | None = None
    selects: list[str] | None = None
    page_size: int = 20
    cursor: str | None = None
    comparative_experiment_id: uuid.UUID | None = None
    filters: dict[str, list[str]] | None = None
    sort: dict[str, str] | None = None


class ThreadStatsQuery(msgspec.Struct, kw_only=True):
    project_id: uuid.UUID
    select: list[str]
    min_start_time: dt.datetime | None = None
    max_start_time: dt.datetime | None = None
    filter: str | None = None
    thread_filter: str | None = None
    trace_filter: str | None = None
    tree_filter: str | None = None
    stride: dict[str, object] | None = None
