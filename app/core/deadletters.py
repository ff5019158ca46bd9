"""The dead-letter list: items set aside with their reason, to inspect and replay.

Replaying puts an item back through ingestion as a new one-item batch (after whatever was wrong
has been fixed: a project created, a parent run sent, a worker bug deployed away).
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
import redis

from app.core.ingest import (
    DEADLETTER_KEY,
    INGEST_JOB,
    INGEST_QUEUE,
    RECORDS_STREAM,
    DeadLetter,
    IngestBatch,
    decode_dead_letter,
    encode_batch,
)
from app.core.queue import queue, retry_policy

REPLAYABLE = {"post", "patch", "feedback"}


def list_letters(connection: redis.Redis, limit: int = 50) -> list[DeadLetter]:
    """Newest first."""
    return [decode_dead_letter(raw) for raw in connection.lrange(DEADLETTER_KEY, 0, max(0, limit - 1))]


def replay(connection: redis.Redis, ids: set[str] | None) -> tuple[list[str], list[tuple[str, str]]]:
    """Re-enqueue the letters with these ids (None: all). Returns (replayed ids, [(id, why not)])."""
    replayed: list[str] = []
    refused: list[tuple[str, str]] = []
    ingest = queue(INGEST_QUEUE, connection)
    for raw in connection.lrange(DEADLETTER_KEY, 0, -1):
        letter = decode_dead_letter(raw)
        if ids is not None and letter.id not in ids:
            continue
        item: Any = msgspec.msgpack.decode(letter.payload)
        if letter.stage == "writer" and isinstance(item, dict):
            # Set aside by the writer: already normalised, so it goes straight back to the writer.
            item["attempt"] = 0
            entry = {"workspace_id": letter.workspace_id, "runs": [item], "feedback": [], "attachments": []}
            connection.xadd(RECORDS_STREAM, {"d": msgspec.msgpack.encode(entry)})
            connection.lrem(DEADLETTER_KEY, 1, raw)
            replayed.append(letter.id)
            continue
        if letter.kind not in REPLAYABLE or not isinstance(item, dict):
            refused.append((letter.id, f"a {letter.kind} item that is not a JSON object cannot be replayed"))
            continue
        batch = IngestBatch(workspace_id=letter.workspace_id, received_at=time.time())
        {"post": batch.posts, "patch": batch.patches, "feedback": batch.feedback}[letter.kind].append(item)
        ingest.enqueue_call(INGEST_JOB, args=(encode_batch(batch),), result_ttl=0, retry=retry_policy())
        connection.lrem(DEADLETTER_KEY, 1, raw)
        replayed.append(letter.id)
    return replayed, refused
