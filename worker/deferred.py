"""Records the writer cannot place yet: a patch whose post has not arrived, a legacy child whose
parent is unknown. They wait in a sorted set scored by when they are due, go back into the stream
then, and after DEFER_DELAYS tries are dead-lettered."""

from __future__ import annotations

import time
from typing import cast

import redis

from app.core import redis_keys
from worker.records import RunRecord, StreamEntry, encode_entry

DEFER_DELAYS = (2, 5, 15, 60, 300)
RELEASE_AT_ONCE = 500


def tries_left(record: RunRecord) -> bool:
    return record.attempt < len(DEFER_DELAYS)


def defer(pipe: redis.client.Pipeline, workspace: str, record: RunRecord, now: float) -> None:
    """Queue one ZADD on `pipe` (the record travels with its attempt count)."""
    due = now + DEFER_DELAYS[record.attempt]
    record.attempt += 1
    pipe.zadd(redis_keys.DEFERRED, {encode_entry(StreamEntry(workspace_id=workspace, runs=[record])): due})


def release_due(connection: redis.Redis) -> None:
    """Move the deferred records that are due back into the stream."""
    # redis-py types every reply as the union of all replies; ZRANGEBYSCORE answers members.
    due = cast(
        "list[bytes]", connection.zrangebyscore(redis_keys.DEFERRED, 0, time.time(), start=0, num=RELEASE_AT_ONCE)
    )
    if due:
        with connection.pipeline() as pipe:
            for item in due:
                pipe.xadd(redis_keys.RECORDS_STREAM, {redis_keys.RECORDS_FIELD: item})
                pipe.zrem(redis_keys.DEFERRED, item)
            pipe.execute()
