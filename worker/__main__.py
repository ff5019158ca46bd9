"""`python -m worker`: one queue worker process (compose `queue`; scale with --scale queue=N).

The main thread runs an rq SimpleWorker over the configured queues (stage 1 of ingestion and any
other job). A second thread runs the ClickHouse writer (stage 2), which is active in exactly one
worker of the deployment at a time. SimpleWorker runs jobs in-process: forking a work horse per
job would cost more than the jobs themselves (milliseconds each).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from rq import SimpleWorker
from rq.job import Job

from app.core import redis_keys
from app.core.clickhouse import ClickHouse
from app.core.heap import freeze_heap
from app.core.logging import configure_logging
from app.core.queue import MsgspecSerializer, queue
from app.core.settings import QueueSettings, load_settings_or_exit
from worker.context import context
from worker.reliable import ReliableQueue
from worker.writer import Writer

log = logging.getLogger("tracehouse.queue")


def worker_name() -> str:
    # The healthcheck finds this process's worker by host name (one container = one host name).
    return f"{redis_keys.WORKER_NAME_PREFIX}.{socket.gethostname()}.{os.getpid()}"


# How often a worker retries while Redis refuses writes for lack of memory.
FULL_REDIS_RETRY_SECONDS = 1.0


def _waits_out_full_redis(method: Callable[..., Any]) -> Callable[..., Any]:
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

    @_waits_out_full_redis
    def prepare_job_execution(self, job: Job, remove_from_intermediate_queue: bool = False) -> None:
        # rq only clears the intermediate list for single-queue workers; ReliableQueue always uses it.
        super().prepare_job_execution(job, remove_from_intermediate_queue=True)

    # Every step of rq's loop that writes. The innermost wrapper meets the refusal first; the
    # outer ones (execute_job: running a stage-1 job twice is harmless) catch what is missed.
    dequeue_job_and_maintain_ttl = _waits_out_full_redis(SimpleWorker.dequeue_job_and_maintain_ttl)
    heartbeat = _waits_out_full_redis(SimpleWorker.heartbeat)
    set_state = _waits_out_full_redis(SimpleWorker.set_state)
    prepare_execution = _waits_out_full_redis(SimpleWorker.prepare_execution)
    handle_job_success = _waits_out_full_redis(SimpleWorker.handle_job_success)
    handle_job_failure = _waits_out_full_redis(SimpleWorker.handle_job_failure)
    handle_execution_ended = _waits_out_full_redis(SimpleWorker.handle_execution_ended)
    _finalize_success = _waits_out_full_redis(SimpleWorker._finalize_success)
    _finalize_failure = _waits_out_full_redis(SimpleWorker._finalize_failure)
    run_maintenance_tasks = _waits_out_full_redis(SimpleWorker.run_maintenance_tasks)
    execute_job = _waits_out_full_redis(SimpleWorker.execute_job)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # rq adds 60 s to the job timeout before it calls a job abandoned; ours run in
        # milliseconds, so a dead worker's job is retried after `abandoned_after` instead.
        return self.abandoned_after


def main() -> None:
    settings = load_settings_or_exit(QueueSettings, "queue")
    configure_logging(settings.log, "queue")
    if settings.worker.queue_nice:
        # Workers do throughput work; the HTTP services answer the SDK within its 10 s budget.
        # On a shared host, let request handling have the CPU first.
        os.nice(settings.worker.queue_nice)
    ctx = context()
    names = [n.strip() for n in settings.worker.queue_names.split(",") if n.strip()]
    queues = [queue(n, ctx.redis, cls=ReliableQueue) for n in names]
    IngestWorker.abandoned_after = settings.worker.job_abandoned_seconds
    worker = IngestWorker(queues, connection=ctx.redis, serializer=MsgspecSerializer, name=worker_name())

    stop = threading.Event()
    writer_thread = None
    if settings.worker.queue_writer:
        writer = Writer(
            ctx.redis,
            ClickHouse(settings.clickhouse, pool_size=1),
            lock_seconds=settings.worker.writer_lock_seconds,
            cleanup_queues=queues,
            abandoned_after=settings.worker.job_abandoned_seconds,
        )
        writer_thread = threading.Thread(target=writer.run, args=(stop,), name="writer", daemon=True)
        writer_thread.start()
    freeze_heap()
    log.info("worker %s listening on %s (writer %s)", worker.name, ", ".join(names), "on" if writer_thread else "off")
    try:
        restarts = 0
        while True:
            try:
                worker.work(
                    burst=settings.worker.queue_burst,
                    logging_level=settings.log.log_level.upper(),
                    with_scheduler=True,
                )
            except redis.exceptions.RedisError:
                log.exception("the rq worker loop failed on redis")
            # A signal (warm shutdown) sets the date; a stop command or a stop mid-job, the flag.
            if settings.worker.queue_burst or worker._stop_requested or worker._shutdown_requested_date:
                break
            # rq leaves its loop on any error it does not handle (logged above, by rq or us); one
            # Redis refusal the wrappers missed must not end the process, which natively nothing
            # would restart. A fresh worker (a new name: the old one may not have deregistered).
            restarts += 1
            time.sleep(FULL_REDIS_RETRY_SECONDS)
            worker = IngestWorker(
                queues, connection=ctx.redis, serializer=MsgspecSerializer, name=f"{worker_name()}.{restarts}"
            )
            log.warning("rq worker loop ended unexpectedly; started it again as %s", worker.name)
    finally:
        stop.set()
        if writer_thread:
            writer_thread.join(timeout=30)


if __name__ == "__main__":
    main()
