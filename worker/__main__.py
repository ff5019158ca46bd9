"""`python -m worker`: one queue worker process (compose `queue`; scale with --scale queue=N).

The main thread runs an rq SimpleWorker over the configured queues (stage 1 of ingestion and any
other job). A second thread runs the ClickHouse writer (stage 2), which is active in exactly one
worker of the deployment at a time. SimpleWorker runs jobs in-process: forking a work horse per
job would cost more than the jobs themselves (milliseconds each).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time

import redis
from rq import Queue
from rq.exceptions import StopRequested

from app.core import redis_keys
from app.core.clickhouse import ClickHouse
from app.core.heap import freeze_heap
from app.core.logging import configure_logging
from app.core.metrics import set_service
from app.core.queue import MsgspecSerializer, queue
from app.core.settings import QueueSettings, load_settings_or_exit
from worker.context import context
from worker.leader import WriterLock
from worker.maintenance import QueueMaintenance
from worker.metrics import serve_metrics
from worker.periodic import Periodic, schedule
from worker.pricing import PriceBook
from worker.reliable import FULL_REDIS_RETRY_SECONDS, IngestWorker, ReliableQueue
from worker.writer import Writer, writer_name

log = logging.getLogger("tracehouse.queue")


def worker_name() -> str:
    # The healthcheck finds this process's worker by host name (one container = one host name).
    # The random part: a container Docker restarts keeps its host name and pid (1), and rq refuses
    # to start under a name whose previous registration has not expired yet (minutes, after a crash).
    return f"{redis_keys.WORKER_NAME_PREFIX}.{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(4)}"


def start_worker(queues: list[Queue], connection: redis.Redis) -> IngestWorker:
    """A new rq worker, once Redis answers: rq's constructor already talks to it (CLIENT SETNAME),
    and a Redis that is down or restarting is no reason for the process to exit."""
    waited = False
    while True:
        try:
            return IngestWorker(queues, connection=connection, serializer=MsgspecSerializer, name=worker_name())
        except redis.exceptions.RedisError as exc:
            if not waited:
                log.warning("waiting for redis to start the rq worker (%s)", exc)
                waited = True
            time.sleep(FULL_REDIS_RETRY_SECONDS)


def main() -> None:
    settings = load_settings_or_exit(QueueSettings, "queue")
    configure_logging(settings.log, "queue")
    set_service("queue")
    if settings.worker.queue_nice:
        # Workers do throughput work; the HTTP services answer the SDK within its 10 s budget.
        # On a shared host, let request handling have the CPU first.
        os.nice(settings.worker.queue_nice)
    ctx = context()
    names = [n.strip() for n in settings.worker.queue_names.split(",") if n.strip()]
    queues = [queue(n, ctx.redis, cls=ReliableQueue) for n in names]
    IngestWorker.abandoned_after = settings.worker.job_abandoned_seconds
    worker = start_worker(queues, ctx.redis)
    serve_metrics(settings.metrics, ctx.redis, queues)

    stop = threading.Event()
    writer_thread = None
    if settings.worker.queue_writer:
        writer = Writer(
            ctx.redis,
            ClickHouse(settings.clickhouse, pool_size=1),
            lock=WriterLock(ctx.redis, writer_name(), settings.worker.writer_lock_seconds),
            maintenance=QueueMaintenance(ctx.redis, queues, abandoned_after=settings.worker.job_abandoned_seconds),
            periodic=Periodic(ctx.redis, schedule(settings)),
            prices=PriceBook(ctx.redis, settings.postgres.postgres_dsn),
        )
        writer_thread = threading.Thread(target=writer.run, args=(stop,), name="writer", daemon=True)
        writer_thread.start()
    freeze_heap()
    log.info("worker %s listening on %s (writer %s)", worker.name, ", ".join(names), "on" if writer_thread else "off")
    try:
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
            try:
                time.sleep(FULL_REDIS_RETRY_SECONDS)
                worker = start_worker(queues, ctx.redis)
            except StopRequested:
                break  # a stop signal while Redis was away (the last worker's handlers are still set)
            log.warning("rq worker loop ended unexpectedly; started it again as %s", worker.name)
    finally:
        stop.set()
        if writer_thread:
            writer_thread.join(timeout=30)


if __name__ == "__main__":
    main()
