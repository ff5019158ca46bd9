"""What the queue and item handlers share: finding a caller's queue, and turning queue items into
runs with their queue info (the runs themselves are read from ClickHouse by the runs service)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request

from app.backend.annotation_queues import queries as q
from app.backend.annotation_queues.schemas import Queue, queue_from_row
from app.backend.runs.service import runs_by_id
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import NotFound
from app.core.postgres import Postgres


async def load_queue(postgres: Postgres, principal: Principal, queue_id: uuid.UUID) -> Queue:
    row = await postgres.fetch_one(q.SELECT_QUEUE, {"workspace_id": principal.workspace_id, "id": queue_id})
    if row is None:
        raise NotFound(f"annotation queue {queue_id} not found")
    return queue_from_row(row)


async def own_queue_id(postgres: Postgres, principal: Principal, queue_id: uuid.UUID) -> uuid.UUID:
    """The queue's id when it belongs to the caller's workspace; else 404 (never 403: another
    workspace's queue does not exist for the caller)."""
    row = await postgres.fetch_one(q.SELECT_QUEUE_ID, {"workspace_id": principal.workspace_id, "id": queue_id})
    if row is None:
        raise NotFound(f"annotation queue {queue_id} not found")
    found: uuid.UUID = row["id"]
    return found


def _with_queue_info(run: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    # LangSmith's RunSchemaWithAnnotationQueueInfo: the run plus its item's fields.
    return {
        **run,
        "queue_run_id": item["id"],
        "added_at": item["added_at"],
        "last_reviewed_time": item["last_reviewed_time"],
        "status": item["status"],
    }


async def runs_of_items(
    request: Request[Any, Any, Any], clickhouse: ClickHouse, principal: Principal, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The items' runs with queue info, in the items' order. An item whose run is gone (its
    project was deleted) is left out."""
    runs = await runs_by_id(request, clickhouse, str(principal.workspace_id), [i["run_id"] for i in items])
    return [_with_queue_info(runs[str(i["run_id"])], i) for i in items if str(i["run_id"]) in runs]
