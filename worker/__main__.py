"""`python -m worker`: run one RQ worker over the configured queues (scale with --scale queue=N)."""

from __future__ import annotations

import logging
import os
import socket

from rq import Worker

from app.core.logging import configure_logging
from app.core.redis import sync_redis
from app.core.settings import QueueSettings, load_settings_or_exit
from worker.queues import queue
from worker.serializer import MsgspecSerializer

WORKER_NAME_PREFIX = "tracehouse-queue"


def worker_name() -> str:
    # The healthcheck finds this process's worker by host name (one container = one host name).
    return f"{WORKER_NAME_PREFIX}.{socket.gethostname()}.{os.getpid()}"


def main() -> None:
    settings = load_settings_or_exit(QueueSettings, "queue")
    configure_logging(settings.log, "queue")
    connection = sync_redis(settings.redis)
    names = [n.strip() for n in settings.worker.queue_names.split(",") if n.strip()]
    worker = Worker(
        [queue(n, connection) for n in names],
        connection=connection,
        serializer=MsgspecSerializer,
        name=worker_name(),
    )
    logging.getLogger("tracehouse.queue").info("worker %s listening on %s", worker.name, ", ".join(names))
    worker.work(burst=settings.worker.queue_burst, logging_level=settings.log.log_level.upper())


if __name__ == "__main__":
    main()
