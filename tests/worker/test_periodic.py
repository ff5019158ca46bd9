"""The schedule (worker/periodic.py) on real Redis, in a database no service uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from rq.job import Job

from app.core import redis_keys
from worker.periodic import Periodic, Task

pytestmark = pytest.mark.stack

TASK = Task("probe", "worker.periodic_probe_that_never_runs", interval_seconds=60)


@pytest.fixture
def spare(stack_env: dict[str, str]) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(stack_env["REDIS_URL"].rsplit("/", 1)[0] + "/8")
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_a_task_is_enqueued_once_per_interval_whoever_asks(spare: redis.Redis) -> None:
    a, b = Periodic(spare, (TASK,)), Periodic(spare, (TASK,))
    assert a.enqueue_if_due(TASK)
    assert not b.enqueue_if_due(TASK)  # another worker (or a new leader) in the same interval
    assert not a.enqueue_if_due(TASK)
    assert a.queue.job_ids == ["periodic-probe"]
    assert 0 < spare.pttl(redis_keys.PERIODIC_PREFIX + "probe") <= 60_000


def test_a_task_still_queued_from_its_last_turn_is_not_enqueued_again(spare: redis.Redis) -> None:
    periodic = Periodic(spare, (TASK,))
    assert periodic.enqueue_if_due(TASK)
    spare.delete(redis_keys.PERIODIC_PREFIX + "probe")  # its interval has passed
    assert not periodic.enqueue_if_due(TASK)
    assert periodic.queue.job_ids == ["periodic-probe"]
    Job.fetch("periodic-probe", connection=spare, serializer=periodic.queue.serializer).delete()
    spare.delete(redis_keys.PERIODIC_PREFIX + "probe")
    assert periodic.enqueue_if_due(TASK)
