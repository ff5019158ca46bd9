"""Where Tracehouse reaches into rq's internals, so that a worker dying at any moment loses no job.

The seam, tested against rq 3.0 (pyproject asks for rq>=2.0; rq 2.x has the same methods).
tests/unit/worker/test_rq_seam.py checks every name and signature listed in RQ_SEAM and fails
loudly when an rq upgrade renames or reshapes one; re-read this module against rq's then.

1. `ReliableQueue.dequeue_any` replaces rq's classmethod and calls rq's `Queue.lmove` and
   `Queue._fetch_dequeued_job` (private). Why: rq dequeues from several queues with BLPOP:
   between BLPOP returning and the job being registered as started, the job is in no Redis
   structure at all, so a worker killed in that instant loses it (seen under load in the fault
   tests: one stage-1 job, i.e. one accepted request, gone). With a single queue rq uses BLMOVE
   into the queue's intermediate list instead, which the active writer recovers
   (worker/maintenance.py). This class always does that: LMOVE over the queues in priority
   order, blocking (BLMOVE) only on the first, for at most a second at a time, so the others are
   still polled every second.
2. `IngestWorker.prepare_job_execution` passes `remove_from_intermediate_queue=True`: rq only
   clears the intermediate list for single-queue workers, and ReliableQueue always uses it.
3. `IngestWorker` wraps every step of rq's work loop that writes to Redis, two of them private
   (`_finalize_success`, `_finalize_failure`), so that a Redis at its maxmemory pauses the worker
   instead of ending it (`waits_out_full_redis`).
4. `IngestWorker.get_heartbeat_ttl` shortens when a dead worker's job counts as abandoned.
5. worker/__main__.py reads `_stop_requested` and `_shutdown_requested_date` (set in rq's
   `BaseWorker.__init__`) to tell a requested stop from rq leaving its loop on an error.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.exceptions import DequeueTimeout
from rq.job import Job
from rq.serializers import Serializer
from rq.timeouts import BaseDeathPenalty
from rq.utils import as_text

log = logging.getLogger("tracehouse.queue")

BLOCK_SECONDS = 1
# How often a worker retries while Redis refuses writes for lack of memory.
FULL_REDIS_RETRY_SECONDS = 1.0

# rq class -> method -> the parameters (after self/cls) we call it with or override it with.
RQ_SEAM: dict[type, dict[str, tuple[str, ...]]] = {
    Queue: {
        "dequeue_any": ("queues", "timeout", "connection", "job_class", "serializer", "death_penalty_class"),
        "lmove": ("connection", "queue_key", "timeout"),
        "_fetch_dequeued_job": ("connection", "queue_key", "job_id", "job_class", "serializer", "death_penalty_class"),
    },
    SimpleWorker: {
        "prepare_job_execution": ("job", "remove_from_intermediate_queue"),
        "get_heartbeat_ttl": ("job", "working_time"),
        "_finalize_success": ("job", "queue", "execution", "return_value"),
        "_finalize_failure": ("job", "queue", "execution", "exc_info"),
    },
}
# Attributes of an rq worker that worker/__main__.py reads.
RQ_WORKER_ATTRIBUTES = ("_stop_requested", "_shutdown_requested_date")


class ReliableQueue(Queue):
    @classmethod
    def dequeue_any(  # noqa: PLR0917 -- rq's signature, which this overrides
        cls,
        queues: Iterable[Queue],
        timeout: int | None,
        connection: redis.Redis,
        job_class: type[Job] | None = None,
        serializer: Serializer | str | None = None,
        death_penalty_class: type[BaseDeathPenalty] | None = None,
    ) -> tuple[Job, Queue] | None:
        ordered = list(queues)
        started = time.monotonic()

        def fetch(result: tuple[bytes, bytes]) -> tuple[Job, Queue] | None:
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


def waits_out_full_redis(method: Callable[..., Any]) -> Callable[..., Any]:
    """rq's work loop quits on any Redis error. A Redis at its maxmemory (noeviction) refuses
    writes until the writer drains the queue into ClickHouse; that is no reason for the worker
    to exit (natively nothing would restart it, and the job in hand would wait for rescue).
    Retry the step instead: each wrapped step is a MULTI/EXEC or single command that Redis
    refuses whole, so running it again is safe."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        warned = False
        while True:
            try:
                return method(self, *args, **kwargs)
            except redis.exceptions.OutOfMemoryError:
                if not warned:
                    log.warning("redis is at its maxmemory and refuses writes; waiting (%s)", method.__name__)
                    warned = True
                time.sleep(FULL_REDIS_RETRY_SECONDS)

    return wrapper


class IngestWorker(SimpleWorker):
    abandoned_after = 30
    # Dequeue through the queues' intermediate lists, so a job is never in flight unrecorded.
    queue_class = ReliableQueue

    @waits_out_full_redis
    def prepare_job_execution(self, job: Job, remove_from_intermediate_queue: bool = False) -> None:
        # rq only clears the intermediate list for single-queue workers; ReliableQueue always uses it.
        super().prepare_job_execution(job, remove_from_intermediate_queue=True)

    # Every step of rq's loop that writes. The innermost wrapper meets the refusal first; the
    # outer ones (execute_job: running a stage-1 job twice is harmless) catch what is missed.
    dequeue_job_and_maintain_ttl = waits_out_full_redis(SimpleWorker.dequeue_job_and_maintain_ttl)
    heartbeat = waits_out_full_redis(SimpleWorker.heartbeat)
    set_state = waits_out_full_redis(SimpleWorker.set_state)
    prepare_execution = waits_out_full_redis(SimpleWorker.prepare_execution)
    handle_job_success = waits_out_full_redis(SimpleWorker.handle_job_success)
    handle_job_failure = waits_out_full_redis(SimpleWorker.handle_job_failure)
    handle_execution_ended = waits_out_full_redis(SimpleWorker.handle_execution_ended)
    _finalize_success = waits_out_full_redis(SimpleWorker._finalize_success)
    _finalize_failure = waits_out_full_redis(SimpleWorker._finalize_failure)
    run_maintenance_tasks = waits_out_full_redis(SimpleWorker.run_maintenance_tasks)
    execute_job = waits_out_full_redis(SimpleWorker.execute_job)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # rq adds 60 s to the job timeout before it calls a job abandoned; ours run in
        # milliseconds, so a dead worker's job is retried after `abandoned_after` instead.
        return self.abandoned_after
