"""Taking a job off a queue so that a worker dying at any moment cannot lose it.

rq dequeues from several queues with BLPOP: between BLPOP returning and the job being registered
as started, the job is in no Redis structure at all, so a worker killed in that instant loses it
(seen under load in the fault tests: one stage-1 job, i.e. one accepted request, gone). With a
single queue rq uses BLMOVE into the queue's intermediate list instead, which the writer's
housekeeping recovers (worker/writer.py, `_rescue_dequeued`). This queue class always does
that: LMOVE over the queues in priority order, blocking (BLMOVE) only on the first, for at most a
second at a time, so the others are still polled every second.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from rq import Queue
from rq.exceptions import DequeueTimeout
from rq.utils import as_text

BLOCK_SECONDS = 1


class ReliableQueue(Queue):
    @classmethod
    def dequeue_any(
        cls,
        queues: Iterable[Queue],
        timeout: int | None,
        *,
        connection: Any,
        job_class: Any = None,
        serializer: Any = None,
        death_penalty_class: Any = None,
    ) -> tuple[Any, Queue] | None:
        ordered = list(queues)
        started = time.monotonic()

        def fetch(result: tuple[Any, Any]) -> tuple[Any, Queue] | None:
            queue_key, job_id = map(as_text, result)
            return cls._fetch_dequeued_job(
                connection,
                queue_key,
                job_id,
                job_class=job_class,
                serializer=serializer,
                death_penalty_class=death_penalty_class,
            )

        while True:
            for queue in ordered:
                result = cls.lmove(connection, queue.key, None)
                if result is not None and (found := fetch(result)) is not None:
                    return found
            if timeout is None:
                return None
            if time.monotonic() - started >= timeout:
                raise DequeueTimeout(timeout, [q.key for q in ordered])
            try:
                result = cls.lmove(connection, ordered[0].key, BLOCK_SECONDS)
            except DequeueTimeout:
                continue
            if (found := fetch(result)) is not None:
                return found
