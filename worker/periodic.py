"""Work that runs on a schedule (alert evaluation, retention and storage checks), enqueued by the
active writer between batches.

Each task has an interval. A Redis key set with NX and an expiry of that interval decides when a
task is due, so a leader change, a restart or several queue workers never enqueue it twice in one
interval. The work itself runs as an rq job on the `default` queue, off the writer's thread: a slow
webhook or a big ClickHouse query must not hold up ingestion. A job that is still queued or
running when its next turn comes is not enqueued again (its job id is fixed per task).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.core import redis_keys
from app.core.queue import queue
from app.core.settings import QueueSettings

log = logging.getLogger("tracehouse.writer")

# How often the writer looks at the schedule at all.
CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Task:
    name: str
    # Dotted path of the rq job, called without arguments.
    func: str
    interval_seconds: float
    # rq's job timeout: the job is killed (and retried next interval) past this.
    timeout_seconds: int = 600


def schedule(settings: QueueSettings) -> tuple[Task, ...]:
    """Every scheduled task of the queue service, with the intervals its settings choose."""
    return (
        Task("retention-partitions", "worker.retention.drop_expired_partitions", interval_seconds=3600),
        Task(
            "alerts", "worker.alerts.evaluate.evaluate", settings.alerts.alert_evaluation_seconds, timeout_seconds=300
        ),
        # Looks every minute; samples every STORAGE_SAMPLE_SECONDS (worker/storage.py).
        Task("storage", "worker.storage.check_storage", 60.0, timeout_seconds=3600),
    )


_PENDING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


class Periodic:
    def __init__(self, connection: redis.Redis, tasks: tuple[Task, ...]) -> None:
        self.redis = connection
        self.tasks = tasks
        self.queue: Queue = queue(redis_keys.DEFAULT_QUEUE, connection)
        self._last_check = 0.0

    def run_if_due(self) -> None:
        now = time.monotonic()
        if now - self._last_check < CHECK_SECONDS:
            return
        self._last_check = now
        for task in self.tasks:
            self.enqueue_if_due(task)

    def enqueue_if_due(self, task: Task) -> bool:
        key = redis_keys.PERIODIC_PREFIX + task.name
        if not self.redis.set(key, str(time.time()), nx=True, px=int(task.interval_seconds * 1000)):
            return False
        job_id = f"periodic-{task.name}"
        try:
            status = Job.fetch(job_id, connection=self.redis, serializer=self.queue.serializer).get_status()
        except NoSuchJobError:
            status = None
        if status in _PENDING:
            log.info("periodic %s still pending from its last turn; not enqueued again", task.name)
            return False
        self.queue.enqueue_call(task.func, job_id=job_id, timeout=task.timeout_seconds, result_ttl=0, failure_ttl=86400)
        return True
