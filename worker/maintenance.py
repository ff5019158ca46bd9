"""Repairs of stage 1's rq state, run by the active writer every couple of seconds.

rq's own maintenance runs only every 10 minutes, and its scheduler lock outlives a dead worker
by ~2 minutes; an accepted request must not wait that long. So the active writer:
- sends the stage-1 jobs of a worker that died mid-job back to their queue (StartedJobRegistry
  cleanup, after the job's heartbeat TTL, `JOB_ABANDONED_SECONDS`);
- requeues a job a worker took off its queue but died before registering as started (it sits in
  the queue's intermediate list, see worker/reliable.py);
- enqueues the retries that are due, even while rq's scheduler lock is held by a dead worker.
Running a job twice is harmless: stage 1 is idempotent.
"""

from __future__ import annotations

import logging
import time

import redis
from rq import Queue
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler

log = logging.getLogger("tracehouse.writer")

INTERVAL_SECONDS = 2.0


class QueueMaintenance:
    def __init__(self, connection: redis.Redis, queues: list[Queue], *, abandoned_after: float) -> None:
        self.queues = queues
        self.abandoned_after = abandoned_after
        self._last_run = 0.0
        # (queue, job id) -> when maintenance first saw it dequeued but not started (rescue_dequeued)
        self._dequeued_since: dict[tuple[str, str], float] = {}
        self._scheduler: RQScheduler | None = None
        if queues:
            self._scheduler = RQScheduler(queues, connection=connection, serializer=queues[0].serializer)
            self._scheduler.prepare_registries([q.name for q in queues])

    def run_if_due(self) -> None:
        now = time.time()
        if now - self._last_run <= INTERVAL_SECONDS:
            return
        self._last_run = now
        for queue in self.queues:
            StartedJobRegistry(queue=queue).cleanup()
            self.rescue_dequeued(queue)
        if self._scheduler is not None:
            self._scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]  # rq leaves it unannotated

    def rescue_dequeued(self, queue: Queue) -> None:
        """rq moves a job to the queue's intermediate list when a worker takes it, then registers it
        as started. A worker killed between the two leaves the job in neither the queue nor the
        started registry, and rq only looks there every 10 minutes. A job seen there, unstarted,
        for `abandoned_after` seconds goes back to the front of its queue."""
        intermediate = queue.intermediate_queue
        waiting = set(intermediate.get_job_ids())
        started = set(queue.started_job_registry.get_job_ids(cleanup=False))
        now = time.monotonic()
        for name, job_id in list(self._dequeued_since):
            if name == queue.name and (job_id not in waiting or job_id in started):
                del self._dequeued_since[(name, job_id)]
        for job_id in waiting - started:
            first = self._dequeued_since.setdefault((queue.name, job_id), now)
            if now - first < self.abandoned_after:
                continue
            job = queue.fetch_job(job_id)
            intermediate.remove(job_id)
            del self._dequeued_since[(queue.name, job_id)]
            if job is not None:
                log.warning("job %s was taken by a worker that died before starting it; requeued", job_id)
                queue.enqueue_job(job, at_front=True)
