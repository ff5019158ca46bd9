"""A store going away: clear 503s that say which store, no 500s, and recovery without restarts.

Runs its own small stack so the shared session stack is never disturbed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from app.core.queue import queue
from app.core.redis_keys import DEFAULT_QUEUE
from tests.conftest import make_tenant
from tests.support.ingest_helpers import root_run, wait_for
from tooling.runner import procs
from tooling.runner.stack import NativeStack, temporary_stack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def own_stack() -> Iterator[NativeStack]:
    with temporary_stack("tracehouse-outage-", extra_env={"API_KEY_CACHE_SECONDS": "0"}) as stack:
        yield stack


def assert_generic_outage_body(response: httpx.Response, store: str, stack: NativeStack) -> None:
    """A 503 names the store and the request id, and nothing of the driver's message: no host,
    port, user, database or SQL (they go to the log under that request id)."""
    body = response.json()
    assert body["error"] == "store_unavailable"
    request_id = response.headers["x-request-id"]
    assert body["detail"] == f"{store} is unavailable; retry shortly (request id {request_id})"
    assert set(body) == {"error", "detail"}
    ports = {v for k, v in stack.env().items() if k.endswith("_PORT")}
    text = response.text.replace(request_id, "")  # a random hex id may hold any digits
    assert not any(port in text for port in ports), response.text


def test_postgres_down_is_503_then_recovers(own_stack: NativeStack) -> None:
    tenant = make_tenant(own_stack)
    postgres = own_stack._stores()[0]
    assert tenant.client.get("/sessions").status_code == 200
    postgres.stop()
    try:
        down = tenant.client.get("/sessions")
        assert down.status_code == 503
        assert down.json()["error"] == "store_unavailable"
        assert_generic_outage_body(down, "postgres", own_stack)
        assert down.headers.get("retry-after")
        health = httpx.get(f"http://127.0.0.1:{own_stack.env()['BACKEND_PORT']}/health")
        assert health.status_code == 503
        assert health.json()["checks"]["postgres"].startswith("error")
        assert health.json()["checks"]["redis"] == "ok"
    finally:
        postgres.start()
    # The pool reconnects with backoff (psycopg_pool doubles its delay from 1 s while the
    # server is away), so recovery takes a few seconds; once back, no request may fail.
    deadline = time.monotonic() + 60
    while tenant.client.get("/sessions").status_code != 200:
        assert time.monotonic() < deadline, "backend did not recover after Postgres came back"
        time.sleep(0.5)
    for _ in range(5):
        assert tenant.client.get("/sessions").status_code == 200


def test_redis_down_does_not_lock_anyone_out(own_stack: NativeStack) -> None:
    tenant = make_tenant(own_stack)
    redis_store = own_stack._stores()[1]
    redis_store.stop()
    try:
        # The key cache is an optimisation: keys still resolve from Postgres.
        assert tenant.client.get("/sessions").status_code == 200
        health = httpx.get(f"http://127.0.0.1:{own_stack.env()['PLATFORM_PORT']}/health")
        assert health.status_code == 503
        assert health.json()["checks"]["redis"].startswith("error")
    finally:
        redis_store.start()
    assert tenant.client.get("/sessions").status_code == 200


def test_clickhouse_down_is_503_even_where_queries_run_side_by_side(own_stack: NativeStack) -> None:
    """The monitoring series and its totals are two concurrent queries; the outage must still
    surface as the store's 503, not as a task group's unexplained 500."""
    tenant = make_tenant(own_stack)
    project = tenant.client.post("/sessions", json={"name": "outage-series"}).json()["id"]
    assert tenant.client.get(f"/sessions/{project}/timeseries").status_code == 200
    clickhouse = own_stack._stores()[2]
    clickhouse.stop()
    try:
        down = tenant.client.get(f"/sessions/{project}/timeseries")
        assert down.status_code == 503, down.text
        assert_generic_outage_body(down, "clickhouse", own_stack)
        assert down.headers.get("retry-after")
    finally:
        clickhouse.start()
    deadline = time.monotonic() + 60
    while tenant.client.get(f"/sessions/{project}/timeseries").status_code != 200:
        assert time.monotonic() < deadline, "backend did not recover after ClickHouse came back"
        time.sleep(0.5)


def test_queue_worker_outlives_a_redis_outage(own_stack: NativeStack) -> None:
    """Redis dies under a job: finishing the job fails, which ends rq's loop (rq itself only waits
    out connection errors while dequeueing), and the worker must rebuild itself while Redis is
    still away. The process must wait for Redis, not exit (natively nothing restarts it; in compose
    the restarts looped and stalled ingest for minutes), and a run accepted afterwards is written."""
    tenant = make_tenant(own_stack)
    pid_file = own_stack._pid_file("queue-1")
    pid = procs.read_pid(pid_file)
    assert own_stack._healthy("queue-1") is None
    connection = redis.Redis.from_url(own_stack.env()["REDIS_URL"])
    release = own_stack.data_dir / f"release-{uuid.uuid4().hex}"
    job = queue(DEFAULT_QUEUE, connection).enqueue("tests.support.jobs.wait_for_file", str(release))
    wait_for(lambda: job.get_status(refresh=True) == "started", what="the held job to start")
    log = own_stack._log_file("queue-1")
    redis_store = own_stack._stores()[1]
    redis_store.stop()  # returns once the server process is gone
    try:
        release.touch()  # the job ends now, with Redis down
        wait_for(
            lambda: "waiting for redis to start the rq worker" in log.read_text() or not procs.alive(pid),
            timeout=90,
            what="the worker to wait for redis (or exit)",
        )
        assert procs.alive(pid), "the queue worker exited while Redis was down:\n" + procs.tail(log)
    finally:
        redis_store.start()
    wait_for(lambda: "started it again" in log.read_text(), timeout=60, what="the rq worker to start again")
    wait_for(lambda: own_stack._healthy("queue-1") is None, timeout=60, what="the queue worker to register again")
    assert procs.alive(pid) and procs.read_pid(pid_file) == pid
    run = root_run(project="after-redis-outage")
    wait_for(
        lambda: tenant.client.post("/runs", json=run).status_code == 202, timeout=30, what="ingest to accept again"
    )
    wait_for(
        lambda: tenant.client.get(f"/runs/{run['id']}").status_code == 200, timeout=60, what="the run to be written"
    )
