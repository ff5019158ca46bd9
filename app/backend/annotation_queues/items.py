"""The runs of an annotation queue ("items"): add (by id or by lookup key), list, read by index,
the next run to review, mark reviewed, remove. Runs are read through the runs service; a run id
the caller's workspace does not hold is refused (404 naming it), so a queue never holds, nor
reveals, another workspace's run."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from app.backend.annotation_queues import queries as q
from app.backend.annotation_queues.schemas import (
    ItemsDelete,
    ItemStatus,
    ItemUpdate,
    Progress,
    RunKey,
    StatusFilter,
    item_status,
)
from app.backend.annotation_queues.service import own_queue_id, runs_of_items
from app.backend.retention.service import keep_long
from app.backend.runs.service import runs_by_id
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

QUEUE_PATH = "/api/v1/annotation-queues/{queue_id:uuid}"
ITEM_PATH = QUEUE_PATH + "/runs/{run_id:uuid}"
MAX_ADD = 1000
NEXT_CANDIDATES = 20
AnyRequest = Request[Any, Any, Any]


def _item(row: dict[str, Any], queue_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": row["id"],
        "queue_id": queue_id,
        "run_id": row["run_id"],
        "added_at": row["added_at"],
        "last_reviewed_time": row["last_reviewed_time"],
        "status": row["status"],
    }


async def _add(
    *,
    request: AnyRequest,
    principal: Principal,
    postgres: Postgres,
    clickhouse: ClickHouse,
    queue_id: uuid.UUID,
    wanted: dict[uuid.UUID, uuid.UUID | None],
) -> list[dict[str, Any]]:
    """Add runs (id → the session its key names, None when only the id was sent) to the queue."""
    if len(wanted) > MAX_ADD:
        raise BadRequest(f"add at most {MAX_ADD} runs at a time")
    found = await own_queue_id(postgres, principal, queue_id)
    # Only the key is needed to check the runs: the rest of each run stays in ClickHouse.
    runs = await runs_by_id(request, clickhouse, str(principal.workspace_id), list(wanted), ["session_id"])
    # A key whose session is not the run's names no run we hold, like an unknown id.
    missing = [
        str(run_id)
        for run_id, session in wanted.items()
        if str(run_id) not in runs or (session is not None and str(runs[str(run_id)]["session_id"]) != str(session))
    ]
    if missing:
        raise NotFound(f"runs not found in this workspace (not ingested yet?): {', '.join(missing[:20])}")
    run_ids = list(wanted)
    async with postgres.transaction() as conn:
        async with conn.cursor() as cursor:
            rows_in = [{"id": uuid.uuid4(), "queue_id": found, "run_id": run_id} for run_id in run_ids]
            await cursor.executemany(q.INSERT_ITEM, rows_in)
        rows = await (await conn.execute(q.SELECT_ITEMS_OF_RUNS, {"queue_id": found, "run_ids": run_ids})).fetchall()
    # A run sent for review keeps its trace for the long tier (issue 19).
    await keep_long(request.app.state.default_queue, principal.workspace_id, run_ids)
    return [_item(r, found) for r in rows]


@post(QUEUE_PATH + "/runs", status_code=200)
async def add_runs(
    *,
    request: AnyRequest,
    queue_id: FromPath[uuid.UUID],
    data: JSONBody[list[uuid.UUID]],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> list[dict[str, Any]]:
    wanted: dict[uuid.UUID, uuid.UUID | None] = dict.fromkeys(data)
    return await _add(
        request=request, principal=principal, postgres=postgres, clickhouse=clickhouse, queue_id=queue_id, wanted=wanted
    )


@post(QUEUE_PATH + "/runs/by-key", status_code=200)
async def add_runs_by_key(
    *,
    request: AnyRequest,
    queue_id: FromPath[uuid.UUID],
    data: JSONBody[list[RunKey]],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> list[dict[str, Any]]:
    wanted: dict[uuid.UUID, uuid.UUID | None] = {k.run_id: k.session_id for k in data}
    return await _add(
        request=request, principal=principal, postgres=postgres, clickhouse=clickhouse, queue_id=queue_id, wanted=wanted
    )


@get(QUEUE_PATH + "/runs")
async def list_runs(
    *,
    request: AnyRequest,
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    status: Annotated[StatusFilter | None, QueryParameter()] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[dict[str, Any]]:
    found = await own_queue_id(postgres, principal, queue_id)
    params = {"queue_id": found, "status": item_status(status), "limit": limit, "offset": offset}
    return await runs_of_items(request, clickhouse, principal, await postgres.fetch_all(q.LIST_ITEMS, params))


@get(QUEUE_PATH + "/run/{index:int}")
async def run_at_index(
    *,
    request: AnyRequest,
    queue_id: FromPath[uuid.UUID],
    index: FromPath[int],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    """The run at `index` (0-based) in queue order, reviewed or not."""
    found = await own_queue_id(postgres, principal, queue_id)
    if index < 0:
        raise BadRequest("index must be 0 or more")
    rows = await postgres.fetch_all(q.LIST_ITEMS, {"queue_id": found, "status": None, "limit": 1, "offset": index})
    runs = await runs_of_items(request, clickhouse, principal, rows)
    if not runs:
        raise NotFound(f"no run at index {index} of this queue")
    return runs[0]


async def _progress(postgres: Postgres, queue_id: uuid.UUID) -> Progress:
    total = (await postgres.fetch_one(q.COUNT_ITEMS, {"queue_id": queue_id, "status": None}))["size"]
    done = await postgres.fetch_one(q.COUNT_ITEMS, {"queue_id": queue_id, "status": ItemStatus.completed.value})
    return Progress(total=total, done=done["size"], remaining=total - done["size"])


@get(QUEUE_PATH + "/next")
async def next_run(
    *,
    request: AnyRequest,
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    """The review flow's step: the first run still needing review (null when none is left) and the
    queue's progress. Marking it done (PATCH) makes the next call answer the following one."""
    found = await own_queue_id(postgres, principal, queue_id)
    # A few candidates, not one: an item whose run is gone (its project deleted) is skipped.
    params = {"queue_id": found, "status": ItemStatus.needs_review.value, "limit": NEXT_CANDIDATES, "offset": 0}
    runs = await runs_of_items(request, clickhouse, principal, await postgres.fetch_all(q.LIST_ITEMS, params))
    return {"run": runs[0] if runs else None, "progress": await _progress(postgres, found)}


@patch(ITEM_PATH)
async def update_item(
    queue_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    data: JSONBody[ItemUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, Any]:
    """Mark one item (named by its run's id or its own queue_run_id) reviewed or not, or move it.
    A last_reviewed_time without a status means reviewed, as in LangSmith; "needs_review" clears
    it; added_at alone moves the item (later: further back) and keeps its review state."""
    found = await own_queue_id(postgres, principal, queue_id)
    status = data.status or (ItemStatus.completed if data.last_reviewed_time else None)
    if status is None and data.added_at is None:
        raise BadRequest("send status ('completed' or 'needs_review'), last_reviewed_time or added_at")
    reviewed = None
    if status is ItemStatus.completed:
        reviewed = data.last_reviewed_time or dt.datetime.now(dt.UTC)
    params = {
        "queue_id": found,
        "item": run_id,
        "status": status.value if status else None,
        "last_reviewed_time": reviewed,
        "added_at": data.added_at,
    }
    row = await postgres.fetch_one(q.UPDATE_ITEM, params)
    if row is None:
        raise NotFound(f"run {run_id} is not in this queue")
    item = await postgres.fetch_one(q.SELECT_ITEM, {"queue_id": found, "id": row["id"]})
    return {**_item(item, found), "progress": await _progress(postgres, found)}


@delete(ITEM_PATH, status_code=204)
async def delete_item(
    queue_id: FromPath[uuid.UUID],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> None:
    found = await own_queue_id(postgres, principal, queue_id)
    if await postgres.fetch_one(q.DELETE_ITEM, {"queue_id": found, "item": run_id}) is None:
        raise NotFound(f"run {run_id} is not in this queue")


@post(QUEUE_PATH + "/runs/delete", status_code=200)
async def delete_items(
    queue_id: FromPath[uuid.UUID],
    data: JSONBody[ItemsDelete],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, int]:
    """Remove the given runs, or all of them but the excluded ones; runs not in the queue are
    skipped. Answers how many items went."""
    found = await own_queue_id(postgres, principal, queue_id)
    params = {"queue_id": found, "run_ids": data.run_ids or None, "exclude": data.exclude_run_ids or None}
    return {"deleted": await postgres.execute(q.DELETE_ITEMS, params)}


ROUTES = [delete_items, add_runs, add_runs_by_key, list_runs, run_at_index, next_run, update_item, delete_item]
