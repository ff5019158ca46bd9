"""Hand a delete to the queue service: tombstone first (so the ingest pipeline drops the scope's
records from now on; app/core/deletions.py), then the job that clears the stores
(worker/deletion.py)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import redis.asyncio as aredis
from rq import Queue

from app.core.deletions import tombstone
from app.core.queue import retry_policy


async def hand_off(redis: aredis.Redis, queue: Queue, scopes: list[str], job: str, *args: Any) -> None:
    await tombstone(redis, *scopes)
    await anyio.to_thread.run_sync(
        lambda: queue.enqueue_call(job, args=args, result_ttl=0, retry=retry_policy(), timeout=3600)
    )
