"""Writing feedback rows, shared by the feedback API and presigned feedback tokens."""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from app.backend.feedback import queries as q
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest
from app.core.tables import FEEDBACK_COLUMNS


def parse_score(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    raise BadRequest("score must be a number or a boolean")


async def insert_feedback_row(ch: ClickHouse, workspace: str, r: dict[str, Any], *, deleted: bool = False) -> None:
    values = (workspace, *(r[c] for c in FEEDBACK_COLUMNS), 1 if deleted else 0)
    await anyio.to_thread.run_sync(lambda: ch.insert(q.INSERT_FEEDBACK, [values]))
