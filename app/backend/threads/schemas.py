"""Wire schemas of /api/v1/sessions/{project_id}/threads, and the previews they carry."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class Thread(msgspec.Struct, kw_only=True):
    thread_id: str
    turn_count: int  # root runs (traces) of the thread
    first_start_time: dt.datetime
    last_start_time: dt.datetime
    latency_p50: float | None
    error_count: int
    # Over every run of the turns' traces.
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    total_cost: float | None
    first_input_preview: str  # the first turn's input, as one line of text
    last_output_preview: str  # the last turn's output, likewise


class ThreadPage(msgspec.Struct, kw_only=True):
    threads: list[Thread]
    total: int
    offset: int
    limit: int
    next_offset: int | None


class Turn(msgspec.Struct, kw_only=True):
    """One root run of a thread, with its trace's token and cost sums."""

    id: uuid.UUID
    trace_id: uuid.UUID
    name: str
    run_type: str
    status: str
    error: str | None
    start_time: dt.datetime
    end_time: dt.datetime | None
    latency: float | None  # seconds
    first_token_time: dt.datetime | None
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    tags: list[str]
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    total_cost: float | None


class ThreadDetail(msgspec.Struct, kw_only=True):
    thread: Thread
    turns: list[Turn]  # in order, one page of them
    offset: int
    limit: int
    next_offset: int | None
