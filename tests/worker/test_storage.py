"""Storage usage and the disk budget on the real stack: the check (worker/storage.py) is run
directly with the settings each test needs; the API reads what it sampled."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from rq.job import Job

from app.core import redis_keys
from app.core.clickhouse import ClickHouse, Profile
from app.core.queue import queue
from app.core.settings import storage_settings
from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, json_part, multipart, wait_for
from tests.support.webhook_receiver import webhook_receiver
from tooling.runner.stack import NativeStack
from worker.storage import run_check

pytestmark = pytest.mark.stack


@pytest.fixture
def ch(stack: NativeStack) -> Iterator[ClickHouse]:
    client = clickhouse(stack)
    yield client
    client.close()


@pytest.fixture
def rd(stack: NativeStack) -> redis.Redis:
    return redis.Redis.from_url(stack.env()["REDIS_URL"])


def run_at(project: str, start: dt.datetime, payload: str, **fields: Any) -> dict[str, Any]:
    run_id = str(uuid.uuid4())
    return {
        "id": run_id,
        "trace_id": run_id,
        "dotted_order": start.strftime("%Y%m%dT%H%M%S%fZ") + run_id,
        "name": "r",
        "run_type": "llm",
        "start_time": start.isoformat(),
        "end_time": (start + dt.timedelta(seconds=1)).isoformat(),
        "session_name": project,
        "inputs": {"prompt": payload},
        "outputs": {"text": payload, "usage_metadata": {"input_tokens": 7, "output_tokens": 5, "total_tokens": 12}},
        **fields,
    }


def ingest(tenant: Tenant, ch: ClickHouse, runs: list[dict[str, Any]]) -> None:
    body, content_type = multipart([json_part(f"post.{r['id']}", r) for r in runs])
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 202
    ids = tuple(r["id"] for r in runs)
    wait_for(
        lambda: ch.query("SELECT count() FROM runs FINAL WHERE id IN %(ids)s", {"ids": ids})[0][0] == len(ids),
        what="runs stored",
    )


def check(stack: NativeStack, ch: ClickHouse, rd: redis.Redis, **env: str) -> Any:
    return run_check(ch, stack.env()["POSTGRES_DSN"], rd, storage_settings(env))


def settled(tenant: Tenant, webhook_id: str, count: int) -> list[dict[str, Any]]:
    """A webhook's delivery log once `count` deliveries are no longer pending."""

    def probe() -> list[dict[str, Any]] | None:
        response = tenant.client.get(f"/webhooks/{webhook_id}/deliveries")
        assert response.status_code == 200, response.text
        log: list[dict[str, Any]] = response.json()
        return log if len([d for d in log if d["status"] != "pending"]) >= count else None

    return wait_for(probe, timeout=60, what="webhook deliveries to settle")


def usage(tenant: Tenant) -> dict[str, Any]:
    response = tenant.client.get("/storage/usage")
    assert response.status_code == 200, response.text
    return response.json()


def test_usage_grows_with_runs_and_shows_only_the_callers_workspace(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant, ch: ClickHouse, rd: redis.Redis
) -> None:
    now = dt.datetime.now(dt.UTC)
    ingest(tenant, ch, [run_at("small", now, "x" * 100), run_at("big", now, "y" * 1000)])
    ingest(other_tenant, ch, [run_at("theirs", now, "z" * 5000)])
    check(stack, ch, rd)
    first = usage(tenant)
    projects = {p["name"]: p for p in first["workspace"]["projects"]}
    assert set(projects) == {"small", "big"}
    assert projects["big"]["runs"] == 1 and projects["big"]["bytes"] > 0
    # Each figure is rounded on its own: allow a byte.
    assert first["workspace"]["bytes"] >= projects["small"]["bytes"] + projects["big"]["bytes"] - 1
    installation = first["installation"]
    assert installation["total_bytes"] == sum(
        installation[k] for k in ("clickhouse_bytes", "postgres_bytes", "redis_bytes")
    )
    assert installation["budget"]["status"] == "none"

    # Many more runs with big, barely compressible payloads in one project.
    ingest(tenant, ch, [run_at("big", now, uuid.uuid4().hex * 400) for _ in range(50)])
    check(stack, ch, rd)
    second = usage(tenant)
    grown = {p["name"]: p for p in second["workspace"]["projects"]}
    assert grown["big"]["runs"] == 51
    assert grown["big"]["bytes"] > projects["big"]["bytes"]
    assert second["workspace"]["bytes"] > first["workspace"]["bytes"]
    assert len(second["workspace"]["trend"]) >= 2

    # The other workspace sees its own project only, and nothing of this one's.
    theirs = usage(other_tenant)
    assert [p["name"] for p in theirs["workspace"]["projects"]] == ["theirs"]
    assert theirs["workspace"]["runs"] == 1
    text = other_tenant.client.get("/storage/usage").text
    assert tenant.workspace_id not in text and str(grown["big"]["id"]) not in text


def test_a_tiny_budget_warns_and_expires_the_oldest_payloads_first(
    stack: NativeStack, tenant: Tenant, ch: ClickHouse, rd: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    now = dt.datetime.now(dt.UTC)
    old = run_at("budget", now - dt.timedelta(days=95), "old payload " * 50)
    fresh = run_at("budget", now, "fresh payload " * 50)
    ingest(tenant, ch, [old, fresh])

    def stored(run: dict[str, Any]) -> tuple[Any, ...]:
        sql = "SELECT inputs, outputs, prompt_tokens, total_tokens, name FROM runs FINAL WHERE id = %(id)s"
        rows = ch.query(sql, {"id": run["id"]}, profile=Profile.MIGRATE)
        assert len(rows) == 1
        return tuple(rows[0])

    assert "old payload" in stored(old)[0]
    with caplog.at_level(logging.INFO, logger="tracehouse.storage"):
        state = check(stack, ch, rd, STORAGE_BUDGET="1", STORAGE_ENFORCE="expire_payloads")
    assert state.status == "exceeded"
    old_month = (now - dt.timedelta(days=95)).strftime("%Y%m")
    # A 1-byte budget clears every month but the current one, oldest first. The stack is shared,
    # so other tests' older months may come before this one.
    assert old_month in state.cleared_partitions
    assert state.cleared_partitions == sorted(state.cleared_partitions)
    assert now.strftime("%Y%m") not in state.cleared_partitions  # never the current month
    assert any("storage.budget_exceeded" in r.getMessage() for r in caplog.records)
    # The old run keeps its row, tokens and name; its payloads are gone. The fresh one is whole.
    assert stored(old) == ("", "", 7, 12, "r")
    assert "fresh payload" in stored(fresh)[0] and "fresh payload" in stored(fresh)[1]
    with psycopg.connect(stack.env()["POSTGRES_DSN"]) as pg:
        recorded = pg.execute(
            "SELECT columns FROM storage_payload_expiries WHERE partition_id = %s", (old_month,)
        ).fetchall()
    assert recorded and "inputs" in recorded[0][0]
    # The banner's source says so too.
    budget = tenant.client.get("/storage/budget").json()
    assert budget["status"] == "exceeded" and old_month in budget["cleared_partitions"]


def test_only_admins_read_storage(stack: NativeStack, tenant: Tenant) -> None:
    viewer = tenant.client.post("/api-key", json={"name": "v", "role": "viewer"}).json()
    key = viewer.get("key") or viewer.get("api_key")
    assert key
    response = tenant.client.get("/storage/usage", headers={"x-api-key": key})
    assert response.status_code == 403


def test_the_scheduled_job_samples_through_the_queue_service(stack: NativeStack, rd: redis.Redis) -> None:
    """The rq job the schedule enqueues runs in the queue service with its own settings."""
    with psycopg.connect(stack.env()["POSTGRES_DSN"]) as pg:
        before = pg.execute("SELECT count(*) FROM storage_totals").fetchone()
    rd.delete(redis_keys.STORAGE_SAMPLE_DUE)  # a sample is due now
    job = queue(redis_keys.DEFAULT_QUEUE, rd).enqueue_call("worker.storage.check_storage", result_ttl=60)

    def finished() -> bool:
        status = Job.fetch(job.id, connection=rd, serializer=job.serializer).get_status()
        assert status != "failed"
        return status == "finished"

    wait_for(finished, what="the storage job")
    with psycopg.connect(stack.env()["POSTGRES_DSN"]) as pg:
        after = pg.execute("SELECT count(*) FROM storage_totals").fetchone()
    assert before is not None and after is not None and after[0] == before[0] + 1
    assert rd.ttl(redis_keys.STORAGE_SAMPLE_DUE) > 0  # the next sample waits STORAGE_SAMPLE_SECONDS


def test_growth_towards_the_budget_warns_before_it_is_reached(
    stack: NativeStack, ch: ClickHouse, rd: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    # The forecast reads the installation's samples, and other tests' checks left some at other
    # sizes (a cleared budget test shrinks the disk). This test owns them while it runs; the
    # stack's own sampler waits STORAGE_SAMPLE_SECONDS (an hour) between samples.
    with psycopg.connect(stack.env()["POSTGRES_DSN"], autocommit=True) as pg:
        pg.execute("DELETE FROM storage_totals")
    used = check(stack, ch, rd).used_bytes
    # Two earlier days of samples: the installation grew by a tenth of today's size a day.
    step = used // 10
    with psycopg.connect(stack.env()["POSTGRES_DSN"], autocommit=True) as pg:
        for days in (2, 1):
            at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
            pg.execute(
                "INSERT INTO storage_totals VALUES (%s, %s, 0, 0, %s)", (at, used - days * step, used - days * step)
            )
    budget = str(used + 5 * step)  # about five days away at that pace
    with caplog.at_level(logging.INFO, logger="tracehouse.storage"):
        warned = check(stack, ch, rd, STORAGE_BUDGET=budget, STORAGE_WARN_DAYS="14")
    assert warned.status == "warning"
    # About five days: bytes on disk move a little between the two checks (merges, other writes).
    assert warned.days_left is not None and 3 < warned.days_left < 10
    assert any("storage.budget_forecast" in r.getMessage() for r in caplog.records)
    assert check(stack, ch, rd, STORAGE_BUDGET=budget, STORAGE_WARN_DAYS="2").status == "ok"
    assert rd.get(redis_keys.STORAGE_BUDGET_STATE) is not None


def test_budget_changes_reach_the_webhooks_that_asked_once_each(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant, ch: ClickHouse, rd: redis.Redis
) -> None:
    """Into and out of `exceeded`: one event each, to every workspace's webhooks that chose
    disk-budget events (and no other), carrying only the installation's figures."""
    with webhook_receiver() as receiver:
        asked = []
        for who, path in ((tenant, "/mine"), (other_tenant, "/theirs")):
            response = who.client.post(
                "/webhooks", json={"name": "disk", "url": receiver.url(path), "storage_events": True}
            )
            assert response.status_code == 201, response.text
            assert response.json()["storage_events"] is True
            asked.append(response.json()["id"])
        quiet = tenant.client.post("/webhooks", json={"name": "alerts only", "url": receiver.url("/quiet")})
        assert quiet.status_code == 201 and quiet.json()["storage_events"] is False
        try:
            rd.delete(redis_keys.STORAGE_BUDGET_STATE)  # no budget was known before
            assert check(stack, ch, rd, STORAGE_BUDGET="1").status == "exceeded"
            assert check(stack, ch, rd, STORAGE_BUDGET="1").status == "exceeded"  # no change, no event
            assert check(stack, ch, rd, STORAGE_BUDGET="1TB").status == "ok"

            for who, webhook_id, path in ((tenant, asked[0], "/mine"), (other_tenant, asked[1], "/theirs")):
                log = settled(who, webhook_id, 2)
                assert sorted(d["event_type"] for d in log) == ["storage.budget_exceeded", "storage.budget_ok"]
                events = {e["type"]: e["data"] for e in (r.json() for r in receiver.on(path))}
                assert len(receiver.on(path)) == 2 and set(events) == {"storage.budget_exceeded", "storage.budget_ok"}
                exceeded = events["storage.budget_exceeded"]
                assert exceeded["used_bytes"] > 0 and exceeded["budget_bytes"] == 1
                assert exceeded["previous_status"] == "none" and "disk budget exceeded" in exceeded["summary"]
                # Installation figures only: nothing names a workspace or project.
                assert not {k for k in exceeded if "workspace" in k or "project" in k}
            assert receiver.on("/quiet") == []
        finally:
            rd.delete(redis_keys.STORAGE_BUDGET_STATE)
            for who, webhook_id in ((tenant, asked[0]), (other_tenant, asked[1]), (tenant, quiet.json()["id"])):
                who.client.delete(f"/webhooks/{webhook_id}")
