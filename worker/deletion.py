"""Delete jobs (on the `default` queue): a project, a set of traces, a workspace, from every store.

The API has already removed what it owns in Postgres (the project row; the workspace row, whose
foreign keys cascade to every workspace table) and written a tombstone (app/core/deletions.py),
so from then on the writer drops records of the scope. A job then:

1. waits until the records stream holds nothing that was added before it started: those entries
   were read by the writer before it could see the tombstone and may still be inserted;
2. finds the scope's run ids and removes the Postgres rows that name them (no foreign key can
   reach a run: runs live in ClickHouse);
3. deletes from ClickHouse with lightweight DELETEs, then APPLY DELETED MASK, so the bytes leave
   the disk now rather than at an unknown later merge. Partition drops do not fit: partitions are
   months of every tenant, not one project;
4. removes the scope's Redis leftovers (before step 3, so that a run gone from ClickHouse means
   the whole job is done): deferred records, patch-first markers, and for a
   workspace its dead letters.

Every step is idempotent, so rq's retry after a failure (a store down) just runs it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any, cast

import psycopg

from app.core import redis_keys
from app.core.clickhouse import ClickHouse, Profile
from app.core.deletions import Tombstones
from app.core.ingest import decode_dead_letter
from worker import queries as q
from worker.context import context
from worker.records import decode_entry

log = logging.getLogger("tracehouse.queue")

# How long a delete waits for the writer to drain what it read before the tombstone; past it the
# job fails and rq retries it later (a writer that is down does not insert either).
DRAIN_SECONDS = 300.0
CHUNK = 5000


def delete_project(workspace_id: str, project_id: str) -> None:
    ctx = context()
    wait_for_writer()
    ch = ctx.clickhouse(timeout=600)  # deletes rewrite parts: allow minutes
    try:
        params = {"w": workspace_id, "p": project_id}
        run_ids = [str(r[0]) for r in ch.query(q.SELECT_PROJECT_RUN_IDS, params, profile=Profile.MIGRATE)]
        forget_runs(workspace_id, run_ids)
        purge_redis(workspace_id)
        for statement in (q.DELETE_ATTACHMENTS, q.DELETE_FEEDBACK, q.DELETE_RUNS):
            ch.command(statement, params)
        apply_deleted_mask(ch)
    finally:
        ch.close()
    log.info("deleted project %s of workspace %s: %d run(s)", project_id, workspace_id, len(run_ids))


def delete_traces(workspace_id: str, project_id: str, trace_ids: list[str]) -> None:
    ctx = context()
    wait_for_writer()
    ch = ctx.clickhouse(timeout=600)
    run_ids: list[str] = []
    purge_redis(workspace_id)
    try:
        for traces in _chunks(trace_ids):
            params: dict[str, Any] = {"w": workspace_id, "p": project_id, "t": tuple(traces)}
            ids = [str(r[0]) for r in ch.query(q.SELECT_TRACE_RUN_IDS, params, profile=Profile.MIGRATE)]
            forget_runs(workspace_id, ids)
            run_ids += ids
            for runs in _chunks(ids) if ids else iter([[]]):
                ch.command(q.DELETE_TRACE_ATTACHMENTS, {**params, "r": tuple(runs)})
                ch.command(q.DELETE_TRACE_FEEDBACK, {**params, "r": tuple(runs)})
            ch.command(q.DELETE_TRACE_RUNS, params)
        apply_deleted_mask(ch)
    finally:
        ch.close()
    log.info("deleted %d trace(s) (%d runs) of project %s", len(trace_ids), len(run_ids), project_id)


def delete_workspace(workspace_id: str) -> None:
    """Postgres is already clean (ON DELETE CASCADE from workspaces)."""
    ctx = context()
    wait_for_writer()
    purge_redis(workspace_id, whole_workspace=True)
    ch = ctx.clickhouse(timeout=600)
    try:
        params = {"w": workspace_id}
        # Patch-first markers are run ids without a workspace: ask which are this workspace's
        # while its rows still exist.
        marked = [m.decode() for m in cast("set[bytes]", ctx.redis.smembers(redis_keys.PATCH_FIRST))]
        for chunk in _chunks(marked):
            rows = ch.query(q.SELECT_WORKSPACE_RUNS_AMONG, {**params, "ids": tuple(chunk)}, profile=Profile.MIGRATE)
            if rows:
                ctx.redis.srem(redis_keys.PATCH_FIRST, *(str(r[0]) for r in rows))
        for statement in (q.DELETE_WORKSPACE_ATTACHMENTS, q.DELETE_WORKSPACE_FEEDBACK, q.DELETE_WORKSPACE_RUNS):
            ch.command(statement, params)
        apply_deleted_mask(ch)
    finally:
        ch.close()
    log.info("deleted workspace %s from every store", workspace_id)


# --- steps -----------------------------------------------------------------------------------


def wait_for_writer() -> None:
    """Return once every stream entry added before now has been written (or dropped) and deleted
    from the stream by the writer, which happens only after its insert."""
    connection = context().redis
    last = cast("list[tuple[bytes, Any]]", connection.xrevrange(redis_keys.RECORDS_STREAM, count=1))
    if not last:
        return
    mark = last[0][0]
    deadline = time.monotonic() + DRAIN_SECONDS
    while connection.xrange(redis_keys.RECORDS_STREAM, "-", mark, count=1):
        if time.monotonic() > deadline:
            raise TimeoutError("the writer has not drained the records stream; the delete will be retried")
        time.sleep(0.2)


def apply_deleted_mask(ch: ClickHouse) -> None:
    for statement in q.APPLY_DELETED_MASK:
        ch.command(statement)


def forget_runs(workspace_id: str, run_ids: list[str]) -> None:
    """Postgres rows and Redis markers that name these runs."""
    if not run_ids:
        return
    ctx = context()
    with psycopg.connect(ctx.settings.postgres.postgres_dsn, application_name="tracehouse-queue") as conn:
        for chunk in _chunks(run_ids):
            for statement in q.PG_RUN_STATEMENTS:
                conn.execute(statement, {"w": workspace_id, "r": chunk})
    for chunk in _chunks(run_ids):
        ctx.redis.srem(redis_keys.PATCH_FIRST, *chunk)


def purge_redis(workspace_id: str, *, whole_workspace: bool = False) -> None:
    """Deferred records of any deleted scope (the writer would drop them anyway, minutes later)
    and a deleted workspace's dead letters."""
    ctx = context()
    tombstones = Tombstones()
    tombstones.refresh(ctx.redis)
    for member in cast("list[bytes]", ctx.redis.zrange(redis_keys.DEFERRED, 0, -1)):
        entry = decode_entry(member)
        if any(tombstones.dead(entry.workspace_id, r.project_id, r.trace_id) for r in entry.runs):
            ctx.redis.zrem(redis_keys.DEFERRED, member)
    if whole_workspace:
        _drop_dead_letters(workspace_id)


def _drop_dead_letters(workspace_id: str) -> None:
    ctx = context()
    for raw in cast("list[bytes]", ctx.redis.lrange(redis_keys.DEADLETTER, 0, -1)):
        if decode_dead_letter(raw).workspace_id == workspace_id:
            with ctx.redis.pipeline(transaction=True) as pipe:
                pipe.lrem(redis_keys.DEADLETTER, 1, raw)  # type: ignore[arg-type]  # redis-py takes bytes values too
                pipe.decrby(redis_keys.DEADLETTER_BYTES, len(raw))
                pipe.execute()


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
