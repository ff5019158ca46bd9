"""Handing an accepted envelope to the queue: shared by the LangSmith ingest routes and OTLP
intake, so both have the same durability point and the same limits."""

from __future__ import annotations

import redis
from rq import Queue

from app.core.deadletters import note_dropped, push_letters
from app.core.errors import PayloadTooLarge, StoreUnavailable
from app.core.ingest import MAX_ITEMS_PER_REQUEST, enqueue_batch
from app.platform.ingest.envelope import Envelope


def too_many(what: str) -> PayloadTooLarge:
    return PayloadTooLarge(f"more than {MAX_ITEMS_PER_REQUEST} {what} in one request; send them in several")


def store(queue: Queue, env: Envelope) -> None:
    """Runs in a worker thread: rq and the dead-letter list use the synchronous Redis client.

    The job and the dead letters go in one MULTI/EXEC, so a refusal (Redis out of memory under
    noeviction, or down) leaves nothing half-stored: the client gets 503 and resends it all."""
    letters = env.dead_letters
    try:
        with queue.connection.pipeline(transaction=True) as pipe:
            if env.batch.size():
                enqueue_batch(queue, env.batch, pipeline=pipe)
            push_letters(queue.connection, letters, pipeline=pipe)
            results = pipe.execute()
    except redis.RedisError as exc:
        raise StoreUnavailable(f"redis refused the request, nothing was accepted: {exc}") from exc
    if letters:
        note_dropped(results[-1])
