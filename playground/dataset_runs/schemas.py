"""Wire schemas of /api/v1/playground/dataset-runs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class DatasetRunCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Messages are templates filled from each example's inputs (`{question}`), or a hub prompt
    whose variables are the example's inputs."""

    dataset_id: uuid.UUID
    provider: str | None = None
    model: str | None = None
    messages: list[dict[str, Any]] | None = None
    prompt: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    stop: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    response_format: dict[str, Any] | None = None
    splits: list[str] | None = None
    as_of: str | None = None
    experiment_name: str | None = None
    concurrency: int | None = None

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("send either messages (templates) or a prompt")
        if self.concurrency is not None and not 1 <= self.concurrency <= 64:
            raise ValueError("concurrency must be between 1 and 64")


class DatasetRun(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    experiment_id: uuid.UUID
    experiment_name: str
    dataset_id: uuid.UUID
    status: str  # running | done | failed | cancelled
    total: int
    completed: int
    errors: int
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
