"""Annotation queues of the caller's workspace: create, list, read, update, delete, sizes.
main.py includes `ROUTES` (with the item handlers of items.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.annotation_queues import queries as q
from app.backend.annotation_queues.items import ROUTES as ITEM_ROUTES
from app.backend.annotation_queues.schemas import (
    Queue,
    QueueCreate,
    QueueUpdate,
    RubricItem,
    StatusFilter,
    item_status,
    queue_from_row,
)
from app.backend.annotation_queues.service import load_queue, own_queue_id
from app.backend.runs.service import trace_of_run
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres

PREFIX = "/api/v1/annotation-queues"
QUEUE_PATH = PREFIX + "/{queue_id:uuid}"


def _rubric(items: list[RubricItem] | None) -> Jsonb | None:
    return None if items is None else Jsonb(msgspec.to_builtins(items))


@post(PREFIX, status_code=200)
async def create_queue(
    data: JSONBody[QueueCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> Queue:
    queue_id = data.id or uuid.uuid4()
    params = {
        "id": queue_id,
        "workspace_id": principal.workspace_id,
        "name": data.name,
        "description": data.description,
        "rubric_instructions": data.rubric_instructions,
        "rubric_items": _rubric(data.rubric_items) or Jsonb([]),
    }
    await postgres.execute(q.INSERT_QUEUE, params)
    row = await postgres.fetch_one(q.SELECT_QUEUE, {"workspace_id": principal.workspace_id, "id": queue_id})
    if row is None:  # the id is another workspace's queue
        raise Conflict(f"annotation queue id {queue_id} is already taken")
    return queue_from_row(row)


@get(PREFIX)
async def list_queues(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    ids: Annotated[list[uuid.UUID] | None, QueryParameter()] = None,
    name: Annotated[str | None, QueryParameter()] = None,
    name_contains: Annotated[str | None, QueryParameter()] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[Queue]:
    params: dict[str, Any] = {
        "workspace_id": principal.workspace_id,
        "ids": ids or None,
        "name": name,
        "name_contains": name_contains or None,
        "limit": limit,
        "offset": offset,
    }
    return [queue_from_row(r) for r in await postgres.fetch_all(q.LIST_QUEUES, params)]


@get(QUEUE_PATH)
async def read_queue(
    queue_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> Queue:
    return await load_queue(postgres, principal, queue_id)


@patch(QUEUE_PATH)
async def update_queue(
    queue_id: FromPath[uuid.UUID],
    data: JSONBody[QueueUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Queue:
    params = {
        "workspace_id": principal.workspace_id,
        "id": queue_id,
        "name": data.name,
        "description": data.description,
        "rubric_instructions": data.rubric_instructions,
        "rubric_items": _rubric(data.rubric_items),
    }
    if await postgres.fetch_one(q.UPDATE_QUEUE, params) is None:
        raise NotFound(f"annotation queue {queue_id} not found")
    return await load_queue(postgres, principal, queue_id)


@delete(QUEUE_PATH, status_code=204)
async def delete_queue(
    queue_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> None:
    if await postgres.fetch_one(q.DELETE_QUEUE, {"workspace_id": principal.workspace_id, "id": queue_id}) is None:
        raise NotFound(f"annotation queue {queue_id} not found")


@get(QUEUE_PATH + "/size")
async def queue_size(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    status: Annotated[StatusFilter | None, QueryParameter()] = None,
) -> dict[str, int]:
    found = await own_queue_id(postgres, principal, queue_id)
    row = await postgres.fetch_one(q.COUNT_ITEMS, {"queue_id": found, "status": item_status(status)})
    return {"size": row["size"]}


@get(QUEUE_PATH + "/total_size")
async def queue_total_size(
    queue_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, int]:
    found = await own_queue_id(postgres, principal, queue_id)
    row = await postgres.fetch_one(q.COUNT_ITEMS, {"queue_id": found, "status": None})
    return {"size": row["size"]}


@get(PREFIX + "/{run_id:uuid}/queues")
async def queues_of_run(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> list[Queue]:
    """The caller's queues holding this run; 404 when the run is not the workspace's, as for any
    other object of another workspace."""
    if await trace_of_run(clickhouse, str(principal.workspace_id), str(run_id)) is None:
        raise NotFound(f"run {run_id} not found")
    params = {"workspace_id": principal.workspace_id, "run_id": run_id}
    return [queue_from_row(r) for r in await postgres.fetch_all(q.LIST_QUEUES_OF_RUN, params)]


ROUTES: list[Any] = [
    queues_of_run,
    create_queue,
    list_queues,
    read_queue,
    update_queue,
    delete_queue,
    queue_size,
    queue_total_size,
    *ITEM_ROUTES,
]
