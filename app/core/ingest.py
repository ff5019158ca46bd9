"""The contract between the ingest endpoints (platform) and the queue workers.

    platform ──RQ job "worker.jobs.ingest"(IngestBatch msgpack)──▶ stage 1 (any queue worker)
    stage 1  ──XADD RECORDS_STREAM (normalised records)──────────▶ stage 2 (the one writer)
    stage 2  ──INSERT … (≈1000 rows or 1 s)───────────────────────▶ ClickHouse, then XACK

Both sides import these Structs, so they decode the same bytes. Items that cannot be ingested are
set aside in DEADLETTER_KEY with their reason (`./tracehouse dead-letter list|replay`).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgspec

from app.core.queue import retry_policy

INGEST_QUEUE = "ingest"
INGEST_JOB = "worker.jobs.ingest"
RECORDS_STREAM = "th:ingest:records"
WRITER_GROUP = "writer"
DEADLETTER_KEY = "th:deadletter"

# Bounds checked on every item (the SDK's own batches stay far below them).
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024


class Attachment(msgspec.Struct, array_like=True):
    run_id: str
    name: str
    content_type: str
    data: bytes


class IngestBatch(msgspec.Struct, array_like=True):
    """One accepted request. Runs are JSON objects with their out-of-band fields folded in."""

    workspace_id: str
    received_at: float
    posts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    patches: list[dict[str, Any]] = msgspec.field(default_factory=list)
    feedback: list[dict[str, Any]] = msgspec.field(default_factory=list)
    attachments: list[Attachment] = msgspec.field(default_factory=list)

    def size(self) -> int:
        return len(self.posts) + len(self.patches) + len(self.feedback) + len(self.attachments)


class DeadLetter(msgspec.Struct, kw_only=True):
    id: str
    at: float
    workspace_id: str
    stage: str  # "api" (rejected at the door) or "worker" (failed integrity or processing)
    kind: str  # post | patch | feedback | attachment | batch
    item_id: str | None
    reason: str
    payload: bytes  # msgpack of the item as received, to inspect or replay


_batch_encoder = msgspec.msgpack.Encoder()
_batch_decoder = msgspec.msgpack.Decoder(IngestBatch)
_dead_decoder = msgspec.msgpack.Decoder(DeadLetter)


def encode_batch(batch: IngestBatch) -> bytes:
    return _batch_encoder.encode(batch)


def decode_batch(data: bytes) -> IngestBatch:
    return _batch_decoder.decode(data)


def dead_letter(*, workspace_id: str, stage: str, kind: str, item_id: str | None, reason: str, item: Any) -> bytes:
    letter = DeadLetter(
        id=str(uuid.uuid4()),
        at=time.time(),
        workspace_id=workspace_id,
        stage=stage,
        kind=kind,
        item_id=item_id,
        reason=reason[:2000],
        payload=_batch_encoder.encode(item),
    )
    return _batch_encoder.encode(letter)


def decode_dead_letter(data: bytes) -> DeadLetter:
    return _dead_decoder.decode(data)


JOB_TIMEOUT_SECONDS = 60


def enqueue_batch(queue: Any, batch: IngestBatch) -> None:
    """Hand an accepted batch to the queue workers (stage 1): the one way runs enter the pipeline,
    for the ingest endpoints and for the playground's own traces. Synchronous (rq); raises
    redis errors for the caller to turn into 503."""
    queue.enqueue_call(
        INGEST_JOB,
        args=(encode_batch(batch),),
        timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=0,
        failure_ttl=30 * 86400,
        retry=retry_policy(),
    )
