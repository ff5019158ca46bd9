"""The dead-letter list: items set aside with their reason, to inspect and replay.

Replaying puts an item back through ingestion as a new one-item batch (after whatever was wrong
has been fixed: a project created, a parent run sent, a worker bug deployed away).

The list is bounded (DEADLETTER_MAX_LETTERS, DEADLETTER_MAX_BYTES): Redis runs without eviction
for the queue's sake, so an unbounded list of rejects could fill it and stop ingestion. When a
push goes over a cap the oldest letters are dropped, counted in redis_keys.DEADLETTER_DROPPED (shown by
`./tracehouse status`) and logged.
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

import msgspec
import redis

from app.core import redis_keys
from app.core.ingest import (
    DEADLETTER_MAX_BYTES,
    DEADLETTER_MAX_LETTERS,
    INGEST_JOB,
    DeadLetter,
    IngestBatch,
    decode_dead_letter,
    encode_batch,
)
from app.core.queue import queue, retry_policy

REPLAYABLE = {"post", "patch", "feedback"}
log = logging.getLogger("tracehouse.deadletters")

# LPUSH the letters, then drop the oldest while the list is over either cap. One script, so the
# byte count in redis_keys.DEADLETTER_BYTES moves with the list atomically.
# KEYS: list, bytes, dropped. ARGV: max letters, max bytes, letter...
_PUSH = """
for i = 3, #ARGV do
  redis.call('lpush', KEYS[1], ARGV[i])
  redis.call('incrby', KEYS[2], #ARGV[i])
end
local max_letters, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local dropped = 0
local held = redis.call('llen', KEYS[1])
while held > 0 and (held > max_letters or tonumber(redis.call('get', KEYS[2]) or '0') > max_bytes) do
  local oldest = redis.call('rpop', KEYS[1])
  redis.call('decrby', KEYS[2], #oldest)
  dropped = dropped + 1
  held = held - 1
end
if held == 0 then redis.call('set', KEYS[2], 0) end
if dropped > 0 then redis.call('incrby', KEYS[3], dropped) end
return dropped
"""


def push_letters(
    connection: redis.Redis,
    letters: list[bytes],
    *,
    pipeline: Any = None,
    max_letters: int = DEADLETTER_MAX_LETTERS,
    max_bytes: int = DEADLETTER_MAX_BYTES,
) -> int | None:
    """Add letters within the caps. Returns how many old ones were dropped, or None when queued
    on `pipeline` (its result is then that count: pass it to `note_dropped`)."""
    if not letters:
        return 0
    script = connection.register_script(_PUSH)
    keys = [redis_keys.DEADLETTER, redis_keys.DEADLETTER_BYTES, redis_keys.DEADLETTER_DROPPED]
    args: list[int | bytes] = [max_letters, max_bytes, *letters]
    if pipeline is not None:
        script(keys=keys, args=args, client=pipeline)
        return None
    dropped = int(script(keys=keys, args=args))
    note_dropped(dropped)
    return dropped


def note_dropped(dropped: Any) -> None:
    if isinstance(dropped, int) and dropped > 0:
        log.warning(
            "dropped the %d oldest dead letter(s) to stay within %d letters / %d bytes",
            dropped,
            DEADLETTER_MAX_LETTERS,
            DEADLETTER_MAX_BYTES,
        )


def stats(connection: redis.Redis) -> tuple[int, int, int]:
    """(letters held, bytes held, letters dropped since the store began)."""
    with connection.pipeline(transaction=False) as pipe:
        pipe.llen(redis_keys.DEADLETTER)
        pipe.get(redis_keys.DEADLETTER_BYTES)
        pipe.get(redis_keys.DEADLETTER_DROPPED)
        held, size, dropped = pipe.execute()
    return int(held), int(size or 0), int(dropped or 0)


def _lrange(connection: redis.Redis, start: int, end: int) -> list[bytes]:
    # The clients never decode responses (app/core/redis.py): the letters come back as bytes.
    return cast(list[bytes], connection.lrange(redis_keys.DEADLETTER, start, end))


def _remove(connection: redis.Redis, raw: bytes) -> None:
    if connection.lrem(redis_keys.DEADLETTER, 1, raw):  # type: ignore[arg-type]  # redis-py says str; bytes work
        connection.decrby(redis_keys.DEADLETTER_BYTES, len(raw))


def list_letters(connection: redis.Redis, limit: int = 50) -> list[DeadLetter]:
    """Newest first."""
    return [decode_dead_letter(raw) for raw in _lrange(connection, 0, max(0, limit - 1))]


def replay(connection: redis.Redis, ids: set[str] | None) -> tuple[list[str], list[tuple[str, str]]]:
    """Re-enqueue the letters with these ids (None: all). Returns (replayed ids, [(id, why not)])."""
    replayed: list[str] = []
    refused: list[tuple[str, str]] = []
    ingest = queue(redis_keys.INGEST_QUEUE, connection)
    for raw in _lrange(connection, 0, -1):
        letter = decode_dead_letter(raw)
        if ids is not None and letter.id not in ids:
            continue
        item: Any = msgspec.msgpack.decode(letter.payload)
        if letter.stage == "writer" and isinstance(item, dict):
            # Set aside by the writer: already normalised, so it goes straight back to the writer.
            item["attempt"] = 0
            entry = {"workspace_id": letter.workspace_id, "runs": [item], "feedback": [], "attachments": []}
            connection.xadd(redis_keys.RECORDS_STREAM, {redis_keys.RECORDS_FIELD: msgspec.msgpack.encode(entry)})
            _remove(connection, raw)
            replayed.append(letter.id)
            continue
        if letter.kind == "request":
            refused.append((letter.id, "a summary of many rejected items holds no item to replay"))
            continue
        if letter.kind not in REPLAYABLE or not isinstance(item, dict):
            refused.append((letter.id, f"a {letter.kind} item that is not a JSON object cannot be replayed"))
            continue
        batch = IngestBatch(workspace_id=letter.workspace_id, received_at=time.time())
        {"post": batch.posts, "patch": batch.patches, "feedback": batch.feedback}[letter.kind].append(item)
        ingest.enqueue_call(INGEST_JOB, args=(encode_batch(batch),), result_ttl=0, retry=retry_policy())
        _remove(connection, raw)
        replayed.append(letter.id)
    return replayed, refused
