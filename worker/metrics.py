"""The queue service's `/metrics`: its own small HTTP server (the service has no API port).

Besides what this process counts (the writer's batches, store errors), a collector reads the
pipeline's state from Redis at scrape time: rq queue depths and the age of each queue's oldest
job, the records stream and the writer's pending entries, the deferred set and the dead-letter
list. That state is shared by the whole deployment, so every queue worker reports the same
values: aggregate them with max(), not sum() (docs/operations.md, "Metrics").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import redis
from prometheus_client import REGISTRY, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from rq import Queue
from rq.job import Job
from rq.utils import str_to_date

from app.core import redis_keys
from app.core.metrics import note_store_error
from app.core.settings import QueueMetricsSettings

log = logging.getLogger("tracehouse.queue")


class PipelineState(Collector):
    def __init__(self, connection: redis.Redis, queues: list[Queue]) -> None:
        self.redis = connection
        self.queues = queues

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("tracehouse_queue_state_up", "1 when the pipeline state below could be read from Redis.")
        try:
            families = list(self._read())
        except redis.RedisError as exc:
            note_store_error("redis")
            log.warning("metrics: could not read the pipeline state from redis: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> Iterator[Any]:
        depth = GaugeMetricFamily("tracehouse_queue_jobs", "Jobs waiting in an rq queue.", labels=["queue"])
        age = GaugeMetricFamily(
            "tracehouse_queue_oldest_job_age_seconds",
            "Age of the oldest job waiting in an rq queue (0 when it is empty).",
            labels=["queue"],
        )
        now = time.time()
        for queue in self.queues:
            depth.add_metric([queue.name], queue.count)
            oldest = 0.0
            ids = queue.get_job_ids(0, 1)
            if ids:
                # Only the timestamp: an ingest job's data is the whole batch (up to 25 MB).
                raw = self.redis.hget(Job.key_for(ids[0]), "enqueued_at")
                if isinstance(raw, bytes | str) and raw:
                    oldest = max(0.0, now - str_to_date(raw).timestamp())
            age.add_metric([queue.name], oldest)
        yield depth
        yield age

        pipe = self.redis.pipeline(transaction=False)
        pipe.xlen(redis_keys.RECORDS_STREAM)
        pipe.zcard(redis_keys.DEFERRED)
        pipe.llen(redis_keys.DEADLETTER)
        pipe.get(redis_keys.DEADLETTER_BYTES)
        pipe.get(redis_keys.DEADLETTER_DROPPED)
        stream_len, deferred, letters, letter_bytes, dropped = pipe.execute()
        yield _gauge(
            "tracehouse_ingest_stream_entries", "Entries in the records stream (stage 1 to writer).", stream_len
        )
        yield _gauge(
            "tracehouse_ingest_stream_pending",
            "Stream entries the writer read but has not acknowledged.",
            self._pending(),
        )
        yield _gauge(
            "tracehouse_ingest_deferred_records", "Records waiting for their parent run (deferred set).", deferred
        )
        yield _gauge("tracehouse_deadletters", "Items held in the dead-letter list.", letters)
        yield _gauge("tracehouse_deadletter_bytes", "Bytes held in the dead-letter list.", int(letter_bytes or 0))
        dropped_total = CounterMetricFamily(
            "tracehouse_deadletters_dropped",
            "Dead letters dropped because the list was over DEADLETTER_MAX_LETTERS or DEADLETTER_MAX_BYTES.",
        )
        dropped_total.add_metric([], int(dropped or 0))
        yield dropped_total

    def _pending(self) -> int:
        try:
            summary = self.redis.xpending(redis_keys.RECORDS_STREAM, redis_keys.WRITER_GROUP)
        except redis.ResponseError:
            return 0  # no stream or group yet: the writer has not started
        return int(summary["pending"]) if isinstance(summary, dict) else 0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def serve_metrics(settings: QueueMetricsSettings, connection: redis.Redis, queues: list[Queue]) -> None:
    """Register the pipeline collector and start the `/metrics` server (a daemon thread)."""
    REGISTRY.register(PipelineState(connection, queues))
    if not settings.queue_metrics_port:
        return
    start_http_server(settings.queue_metrics_port, addr=settings.queue_metrics_host)
    log.info("metrics on %s:%d/metrics", settings.queue_metrics_host, settings.queue_metrics_port)
