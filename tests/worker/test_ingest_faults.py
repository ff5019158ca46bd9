"""Accepted means durable: ClickHouse outages and killed workers lose nothing, duplicate nothing.

Runs its own stack (two queue workers, short failover timers) so the shared one is undisturbed.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from app.core import redis_keys
from app.core.ingest import INGEST_JOB, IngestBatch, encode_batch
from app.core.queue import queue, retry_policy
from tests.conftest import Tenant, make_tenant
from tests.support.ingest_helpers import clickhouse, json_part, multipart, root_run, wait_for
from tooling.runner.stack import NativeStack, temporary_stack

pytestmark = pytest.mark.stack

RUNS_PER_REQUEST = 100


@pytest.fixture(scope="module")
def fault_stack() -> Iterator[NativeStack]:
    timers = {"WRITER_LOCK_SECONDS": "2", "JOB_ABANDONED_SECONDS": "5"}
    with temporary_stack("tracehouse-faults-", queue_workers=2, extra_env=timers) as stack:
        yield stack


def send_requests(tenant: Tenant, count: int, project: str) -> set[str]:
    ids: set[str] = set()
    for _ in range(count):
        runs = [root_run(name="r", project=project, end_time=None) for _ in range(RUNS_PER_REQUEST)]
        ids.update(r["id"] for r in runs)
        body, content_type = multipart([json_part(f"post.{r['id']}", r) for r in runs])
        response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
        assert response.status_code == 202, response.text
    return ids


def counts(stack: NativeStack, workspace_id: str) -> tuple[int, int]:
    ch = clickhouse(stack)
    try:
        final, distinct = ch.query(
            "SELECT (SELECT count() FROM runs FINAL WHERE workspace_id = %(w)s),"
            " (SELECT uniqExact(id) FROM runs WHERE workspace_id = %(w)s)",
            {"w": workspace_id},
        )[0]
        return final, distinct
    finally:
        ch.close()


def test_clickhouse_down_during_ingestion_loses_nothing(fault_stack: NativeStack) -> None:
    tenant = make_tenant(fault_stack)
    ch_store = fault_stack._stores()[2]
    ch_store.stop()
    try:
        ids = send_requests(tenant, 10, "while-ch-down")  # accepted while ClickHouse is away
        time.sleep(2)  # the writer tries, fails, and keeps the batch pending
    finally:
        ch_store.start()
    expected = len(ids)
    wait_for(
        lambda: counts(fault_stack, tenant.workspace_id) == (expected, expected),
        timeout=90,
        what=f"{expected} runs after ClickHouse came back",
    )


def _active_writer_unit(stack: NativeStack) -> str:
    connection = redis.Redis.from_url(stack.env()["REDIS_URL"])
    holder = wait_for(lambda: connection.get(redis_keys.WRITER_LOCK), what="an active writer").decode()
    pid = int(holder.split(".")[-2])
    for unit in ("queue-1", "queue-2"):
        if (stack.data_dir / "run" / f"{unit}.pid").read_text().strip() == str(pid):
            return unit
    raise AssertionError(f"writer {holder} is not one of the stack's queue workers")


def test_killed_worker_mid_batch_loses_and_duplicates_nothing(fault_stack: NativeStack) -> None:
    tenant = make_tenant(fault_stack)
    connection = redis.Redis.from_url(fault_stack.env()["REDIS_URL"])
    victim = _active_writer_unit(fault_stack)
    ch_store = fault_stack._stores()[2]
    # Hold the writer mid-batch deterministically: with ClickHouse away it has read entries it
    # cannot write, so they are pending (read, unacknowledged) when it is killed.
    ch_store.stop()
    try:
        ids = send_requests(tenant, 20, "killed-worker")
        wait_for(
            lambda: connection.xpending(redis_keys.RECORDS_STREAM, redis_keys.WRITER_GROUP)["pending"] > 0,
            timeout=90,
            what="the writer to hold a batch",
        )
        fault_stack.kill_unit(victim, signal.SIGKILL)
        # More traffic while one worker is dead: the survivor runs the jobs and takes over writing.
        ids |= send_requests(tenant, 5, "killed-worker")
    finally:
        ch_store.start()
    try:
        expected = len(ids)
        wait_for(
            lambda: counts(fault_stack, tenant.workspace_id) == (expected, expected),
            timeout=240,
            what=f"{expected} runs after a SIGKILLed worker",
        )
        # Everything read is eventually acknowledged (a re-run job may still add a duplicate
        # entry after the counts match; it merges into the same rows).
        wait_for(
            lambda: connection.xpending(redis_keys.RECORDS_STREAM, redis_keys.WRITER_GROUP)["pending"] == 0,
            timeout=60,
            what="every stream entry to be acknowledged",
        )
        assert counts(fault_stack, tenant.workspace_id) == (expected, expected)
    finally:
        fault_stack.start_unit(victim)


def test_redis_down_refuses_with_503_and_accepts_after(fault_stack: NativeStack) -> None:
    tenant = make_tenant(fault_stack)
    redis_store = fault_stack._stores()[1]
    redis_store.stop()
    try:
        body, content_type = multipart([json_part(f"post.{r['id']}", r) for r in [root_run()]])
        response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
        # Nothing durable to put it in: refuse (the SDK retries 5xx), never a fake 202.
        assert response.status_code == 503
    finally:
        redis_store.start()
    wait_for(
        lambda: (
            httpx.post(
                f"{fault_stack.url}/api/v1/runs/multipart",
                content=body,
                headers={"content-type": content_type, "x-api-key": tenant.key},
            ).status_code
            == 202
        ),
        timeout=30,
        what="ingest to accept again",
    )


def test_postgres_down_during_ingestion_loses_nothing(fault_stack: NativeStack) -> None:
    tenant = make_tenant(fault_stack)
    assert tenant.client.get("/workspaces").status_code == 200  # the key is now cached for ingest
    postgres = fault_stack._stores()[0]
    postgres.stop()
    try:
        # A project never seen before must be created in Postgres: stage 1 fails and rq retries it.
        ids = send_requests(tenant, 3, "created-after-postgres-returns")
        time.sleep(3)
    finally:
        postgres.start()
    expected = len(ids)
    wait_for(
        lambda: counts(fault_stack, tenant.workspace_id) == (expected, expected),
        timeout=120,
        what=f"{expected} runs after Postgres came back",
    )


def test_job_taken_by_a_worker_that_died_before_starting_it_still_runs(fault_stack: NativeStack) -> None:
    """rq moves a job to the queue's intermediate list when a worker takes it and registers it as
    started a moment later; a worker killed in between leaves the job in neither place. Simulate
    exactly that state: the job must still run (within JOB_ABANDONED_SECONDS), not wait for rq's
    ten-minute maintenance."""
    tenant = make_tenant(fault_stack)
    connection = redis.Redis.from_url(fault_stack.env()["REDIS_URL"])
    ingest = queue(redis_keys.INGEST_QUEUE, connection)
    runs = [root_run(name="r", project="taken-then-died") for _ in range(7)]
    batch = IngestBatch(workspace_id=tenant.workspace_id, received_at=time.time(), posts=runs)
    job = ingest.create_job(INGEST_JOB, args=(encode_batch(batch),), result_ttl=0, retry=retry_policy())
    job.save()
    connection.lpush(ingest.intermediate_queue_key, job.id)
    wait_for(
        lambda: counts(fault_stack, tenant.workspace_id) == (len(runs), len(runs)),
        timeout=60,
        what="the stranded job to run",
    )
    assert job.id not in ingest.intermediate_queue.get_job_ids()
