"""`python -m worker`: one queue worker process (compose `queue`; scale with --scale queue=N).

The main thread runs an rq SimpleWorker over the configured queues (stage 1 of ingestion and any
other job). A second thread runs the ClickHouse writer (stage 2), which is active in exactly one
worker of the deployment at a time. SimpleWorker runs jobs in-process: forking a work horse per
job would cost more than the jobs themselves (milliseconds each).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from rq import SimpleWorker
from rq.job import Job

from app.core.clickhouse import ClickHouse
from app.core.http import freeze_heap
from app.core.logging import configure_logging
from app.core.queue import MsgspecSerializer, queue
from app.core.settings import QueueSettings, load_settings_or_exit
from worker.context import context
from worker.reliable import ReliableQueue
from worker.writer import Writer

WORKER_NAME_PREFIX = "tracehouse-queue"
log = logging.getLogger("tracehouse.queue")


def worker_name() -> str:
    # The healthcheck finds this process's worker by host name (one container = one host name).
    return f"{WORKER_NAME_PREFIX}.{socket.gethostname()}.{os.getpid()}"


class IngestWorker(SimpleWorker):
    abandoned_after = 30
    # Dequeue through the queues' intermediate lists, so a job is never in flight unrecorded.
    queue_class = ReliableQueue

    def prepare_job_execution(self, job: Job, remove_from_intermediate_queue: bool = False) -> None:
        # rq only clears the intermediate list for single-queue workers; ReliableQueue always uses it.
        super().prepare_job_execution(job, remove_from_intermediate_queue=True)

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
        worker.work(
            burst=settings.worker.queue_burst, logging_level=settings.log.log_level.upper(), with_scheduler=True
        )
    finally:
        stop.set()
        if writer_thread:
            writer_thread.join(timeout=30)


if __name__ == "__main__":
    main()
