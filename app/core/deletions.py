"""Tombstones of deleted projects, workspaces and traces, shared by the API services (which accept
a delete) and the queue service (which must not write the deleted data back).

Deleting in the stores is not enough while the ingest pipeline still holds records of the deleted
scope: an rq job not yet run, entries in the records stream, deferred records, or the writer's
in-memory state of an unfinished run that a later patch would merge into and re-insert. So the
delete first records a tombstone here; the writer drops every record whose scope has one, and
stage 1 forgets its cached project ids when the set changes. Then the delete job waits for the
stream entries older than the tombstone to be written (or dropped) and deletes from the stores.

Tombstones are kept DELETED_KEEP_SECONDS: longer than anything can stay in the pipeline (the
deferred records' back-off ends after minutes, rq retries after hours).
"""

from __future__ import annotations

import time
from typing import cast

import redis
import redis.asyncio as aredis

from app.core import redis_keys

DELETED_KEEP_SECONDS = 30 * 86400


def workspace_scope(workspace_id: str) -> str:
    return f"w:{workspace_id}"


def project_scope(workspace_id: str, project_id: str) -> str:
    return f"p:{workspace_id}:{project_id}"


def trace_scope(workspace_id: str, trace_id: str) -> str:
    return f"t:{workspace_id}:{trace_id}"


def name_scope(workspace_id: str, project_name: str) -> str:
    """A deleted project's name: runs accepted before the delete that name the project only by
    name (as the SDK does) are dropped; runs accepted after it create a new project of that name."""
    return f"n:{workspace_id}:{project_name}"


async def tombstone(connection: aredis.Redis, *scopes: str) -> None:
    now = time.time()
    async with connection.pipeline(transaction=True) as pipe:
        pipe.zadd(redis_keys.DELETED, dict.fromkeys(scopes, now))
        pipe.zremrangebyscore(redis_keys.DELETED, 0, now - DELETED_KEEP_SECONDS)
        pipe.incr(redis_keys.DELETED_GENERATION)
        await pipe.execute()


def tombstone_sync(connection: redis.Redis, *scopes: str) -> None:
    now = time.time()
    with connection.pipeline(transaction=True) as pipe:
        pipe.zadd(redis_keys.DELETED, dict.fromkeys(scopes, now))
        pipe.zremrangebyscore(redis_keys.DELETED, 0, now - DELETED_KEEP_SECONDS)
        pipe.incr(redis_keys.DELETED_GENERATION)
        pipe.execute()


class Tombstones:
    """A process's copy of the set, reloaded only when its generation moved (one GET per check)."""

    def __init__(self) -> None:
        self._generation: bytes | None = None
        self._scopes: dict[str, float] = {}

    def refresh(self, connection: redis.Redis) -> bool:
        """Reload if the set changed; returns whether it did."""
        generation = connection.get(redis_keys.DELETED_GENERATION)
        assert generation is None or isinstance(generation, bytes)
        if generation == self._generation:
            return False
        # redis-py types every reply as the union of all replies; WITHSCORES answers pairs.
        members = cast("list[tuple[bytes, float]]", connection.zrange(redis_keys.DELETED, 0, -1, withscores=True))
        self._scopes = {m.decode(): float(t) for m, t in members}
        self._generation = generation
        return True

    def __bool__(self) -> bool:
        return bool(self._scopes)

    def dead(self, workspace_id: str, project_id: str | None = None, trace_id: str | None = None) -> bool:
        if not self._scopes:
            return False
        if workspace_scope(workspace_id) in self._scopes:
            return True
        if project_id and project_scope(workspace_id, project_id) in self._scopes:
            return True
        return bool(trace_id and trace_scope(workspace_id, trace_id) in self._scopes)

    def sent_to_deleted_project(
        self, workspace_id: str, project_id: str | None, project_name: str, received_at: float
    ) -> bool:
        """Whether a run accepted at `received_at` was meant for a project deleted after that."""
        if not self._scopes:
            return False
        for scope in (
            project_scope(workspace_id, project_id) if project_id else None,
            name_scope(workspace_id, project_name),
        ):
            deleted_at = self._scopes.get(scope) if scope else None
            if deleted_at is not None and received_at <= deleted_at:
                return True
        return False
