"""Wire shapes of trace deletion (LangSmith's `POST /api/v1/runs/delete`)."""

from __future__ import annotations

import uuid

import msgspec

MAX_TRACES = 1000


class DeleteTraces(msgspec.Struct, kw_only=True):
    session_id: uuid.UUID
    trace_ids: list[uuid.UUID]

    def __post_init__(self) -> None:
        if not self.trace_ids:
            raise ValueError("trace_ids must name at least one trace")
        if len(self.trace_ids) > MAX_TRACES:
            raise ValueError(f"at most {MAX_TRACES} trace_ids per request")
