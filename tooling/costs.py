"""`./tracehouse costs recompute --project P [--since T]`: re-price stored runs after a price change.

Why through the writer's stream: the writer is the one process that merges runs, and it prices a
run every time it writes it (worker/pricing.py). So this command writes nothing to ClickHouse
itself: it finds the LLM runs to re-price, in (start_time, id) order, and sends each batch to the
writer as empty patches (a patch that names only the run's id changes no field). The writer merges
each into the stored run, prices it with the table in force now and writes it with a higher
version, exactly as if a late patch had arrived. A real patch arriving at the same moment is merged
in stream order by the same writer, so nothing races.

Bounded: one batch (default 500 runs) is in the stream at a time; the next is sent once the writer
has written and deleted the last. Resumable: after each batch the position is saved in Redis
(`COSTS_RECOMPUTE_PREFIX`, one hash per workspace, project and --since); a second run with the same
arguments continues from there, `--restart` starts over.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

import msgspec
import psycopg
import redis

from app.core import redis_keys
from app.core.clickhouse import ClickHouse
from tooling import queries as q

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NIL = str(uuid.UUID(int=0))


class RecomputeError(Exception):
    pass


def find_project(dsn: str, project: str, workspace: str | None) -> tuple[str, str]:
    """(project id, workspace id) of a project named by id or name (and, when names repeat
    across workspaces, its workspace by id or name)."""
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        rows = conn.execute(q.SELECT_PROJECT, {"project": project, "workspace": workspace}).fetchall()
    if not rows:
        raise RecomputeError(f"no project {project!r}" + (f" in workspace {workspace!r}" if workspace else ""))
    if len(rows) > 1:
        raise RecomputeError(f"{len(rows)} projects are named {project!r}: name the workspace with --workspace")
    return str(rows[0][0]), str(rows[0][1])


def recompute(
    ch: ClickHouse,
    connection: redis.Redis,
    *,
    workspace_id: str,
    project_id: str,
    since: dt.datetime | None,
    batch: int = 500,
    restart: bool = False,
    wait_seconds: float = 300.0,
    say: Callable[[str], None] = print,
) -> int:
    """Send every priceable run of the project since `since` to the writer; returns how many."""
    since = since or EPOCH
    key = f"{redis_keys.COSTS_RECOMPUTE_PREFIX}{workspace_id}:{project_id}:{since.isoformat()}"
    saved: dict[bytes, bytes] = {} if restart else connection.hgetall(key)  # type: ignore[assignment]  # redis-py types replies as a union
    after = dt.datetime.fromisoformat(saved[b"after"].decode()) if b"after" in saved else EPOCH
    after_id = saved.get(b"after_id", NIL.encode()).decode()
    done = int(saved.get(b"done", b"0"))
    scope: dict[str, Any] = {"workspace_id": workspace_id, "project_id": project_id, "since": since}
    left = ch.query(q.COUNT_RUNS, {**scope, "after": after, "after_id": after_id})[0][0]
    if done:
        say(f"resuming after {done} run(s) re-priced earlier ({after.isoformat()}, {after_id})")
    say(f"{left} run(s) to re-price")
    total = done + left
    while True:
        rows = ch.query(q.NEXT_RUNS, {**scope, "after": after, "after_id": after_id, "limit": batch})
        if not rows:
            break
        entry = {"workspace_id": workspace_id, "runs": [{"id": str(r[1]), "kind": "patch"} for r in rows]}
        entry_id = connection.xadd(redis_keys.RECORDS_STREAM, {redis_keys.RECORDS_FIELD: msgspec.msgpack.encode(entry)})
        _written(connection, entry_id, wait_seconds)
        after, after_id = rows[-1][0], str(rows[-1][1])
        done += len(rows)
        connection.hset(key, mapping={"after": after.isoformat(), "after_id": after_id, "done": done})
        say(f"re-priced {done}/{total} (up to {after.isoformat()})")
    connection.delete(key)
    say(f"done: {done} run(s) re-priced")
    return done


def _written(connection: redis.Redis, entry_id: Any, wait_seconds: float) -> None:
    """Wait until the writer has written the entry (it deletes what it has written)."""
    deadline = time.monotonic() + wait_seconds
    while connection.xrange(redis_keys.RECORDS_STREAM, min=entry_id, max=entry_id):
        if time.monotonic() > deadline:
            raise RecomputeError(
                f"the writer has not taken the batch in {wait_seconds:.0f}s: is the queue service running?"
                " (run the command again to resume)"
            )
        time.sleep(0.2)
