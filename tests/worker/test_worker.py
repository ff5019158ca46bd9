"""The queue: rq over real Redis with the msgspec serializer (no pickle anywhere)."""

from __future__ import annotations

import uuid

import msgspec
import pytest
import redis
from rq import SimpleWorker
from rq.exceptions import DequeueTimeout

from app.core.queue import MsgspecSerializer, queue
from tests.conftest import python_module
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


@pytest.fixture
def connection(stack_env: dict[str, str]) -> redis.Redis:
    return redis.Redis.from_url(stack_env["REDIS_URL"])


def test_job_round_trip_without_pickle(connection: redis.Redis) -> None:
    q = queue("test-serializer", connection)
    job = q.enqueue("tests.support.jobs.combine", b"\x00\xffbinary", {"run": "r1"})
    # The stored job data is msgpack: decodable as data, no pickle opcodes.
    raw = connection.hget(job.key, "data")
    assert raw is not None
    import zlib

    decoded = msgspec.msgpack.decode(zlib.decompress(raw))
    assert decoded[0] == "tests.support.jobs.combine"
    assert SimpleWorker([q], connection=connection, serializer=MsgspecSerializer).work(burst=True)
    job.refresh()
    assert job.is_finished
    assert job.return_value() == {"size": 8, "meta": {"run": "r1"}}


def test_stack_runs_a_registered_worker(stack: NativeStack) -> None:
    result = python_module("app.core.healthcheck", "queue", env=stack.env())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", ["backend", "platform", "playground"])
def test_healthcheck_module(stack: NativeStack, service: str) -> None:
    ok = python_module("app.core.healthcheck", service, env=stack.env())
    assert ok.returncode == 0, ok.stderr
    bad = python_module("app.core.healthcheck", service, env={**stack.env(), f"{service.upper()}_PORT": "1"})
    assert bad.returncode == 1
    assert "unhealthy" in bad.stderr


def test_dequeued_jobs_are_always_recorded(connection: redis.Redis) -> None:
    """Across several queues, a job taken off a queue sits in that queue's intermediate list
    (recoverable) until the worker registers it as started: never nowhere, as with rq's BLPOP."""
    from worker.reliable import ReliableQueue

    suffix = uuid.uuid4().hex[:8]
    first = queue(f"first-{suffix}", connection, cls=ReliableQueue)
    second = queue(f"second-{suffix}", connection, cls=ReliableQueue)
    job = second.enqueue_call("builtins.print", args=("x",))
    taken, source = ReliableQueue.dequeue_any([first, second], 2, connection=connection, serializer=MsgspecSerializer)
    assert taken.id == job.id and source.name == second.name
    assert second.intermediate_queue.get_job_ids() == [job.id] and second.get_job_ids() == []
    # An empty set of queues times out like rq's own dequeue does.
    with pytest.raises(DequeueTimeout):
        ReliableQueue.dequeue_any([first], 1, connection=connection, serializer=MsgspecSerializer)
