"""A store going away: clear 503s that say which store, no 500s, and recovery without restarts.

Runs its own small stack so the shared session stack is never disturbed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_tenant
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
