"""Webhooks (signed, retried, egress-checked deliveries with a log) and alert rules evaluated by
the queue service, through the real stack: a local HTTP server is the receiver, runs are traced
with the official SDK, and the evaluation job runs on the stack's own queue workers."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import redis
from langsmith import Client
from langsmith.run_trees import RunTree
from psycopg.rows import dict_row
from rq.job import Job, JobStatus

from app.core import redis_keys
from app.core.queue import queue
from app.core.webhooks.delivery import enqueue
from app.core.webhooks.signing import HEADER, verify
from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, run_rows, wait_for
from tests.support.webhook_receiver import Receiver, webhook_receiver
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack
from worker.alerts.evaluate import measure, transition

pytestmark = pytest.mark.stack
SECRET = "s3cret-for-the-test-0123456789"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


def add_webhook(tenant: Tenant, receiver: Receiver, **fields: Any) -> dict[str, Any]:
    body = {"name": "hook", "url": receiver.url(), "secret": SECRET, **fields}
    response = tenant.client.post("/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def deliveries(tenant: Tenant, webhook_id: str) -> list[dict[str, Any]]:
    response = tenant.client.get(f"/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()


def settled(tenant: Tenant, webhook_id: str, count: int) -> list[dict[str, Any]]:
    """The log once `count` deliveries are no longer pending."""

    def probe() -> list[dict[str, Any]] | None:
        log = deliveries(tenant, webhook_id)
        done = [d for d in log if d["status"] != "pending"]
        return log if len(done) >= count else None

    return wait_for(probe, timeout=60, what="webhook deliveries to settle")


def run_job(stack: NativeStack, func: str) -> None:
    """Enqueue a job on the stack's default queue and wait for a queue worker to finish it."""
    connection = redis.Redis.from_url(stack.env()["REDIS_URL"])
    default = queue(redis_keys.DEFAULT_QUEUE, connection)
    job = default.enqueue_call(func, result_ttl=600, failure_ttl=600)

    def status() -> JobStatus | None:
        current = Job.fetch(job.id, connection=connection, serializer=default.serializer).get_status()
        return current if current in (JobStatus.FINISHED, JobStatus.FAILED) else None

    assert wait_for(status, timeout=120, what=f"job {func}") == JobStatus.FINISHED
    connection.close()


def test_webhook_crud_hides_the_secret_and_refuses_internal_urls(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    hook = add_webhook(tenant, receiver)
    assert "secret" not in hook and hook["secret_hint"] == "..." + SECRET[-4:]
    assert hook["format"] == "json" and hook["enabled"] is True
    generated = tenant.client.post("/webhooks", json={"name": "gen", "url": receiver.url()}).json()
    assert generated["secret"].startswith("whsec_")  # shown once, at creation
    listed = tenant.client.get("/webhooks").json()
    assert {h["id"] for h in listed} == {hook["id"], generated["id"]}
    assert all("secret" not in h for h in listed)
    assert all("secret" not in h for h in [tenant.client.get(f"/webhooks/{generated['id']}").json()])

    # 127.0.0.1 is allowlisted in the test stack (PLAYGROUND_ALLOWED_HOSTS); private and metadata
    # addresses are not, and a URL that carries credentials is refused outright.
    for url in ("http://10.20.30.40/hook", "http://192.168.1.5:8080/x", "http://169.254.169.254/latest"):
        refused = tenant.client.post("/webhooks", json={"name": "bad", "url": url})
        assert refused.status_code == 422, refused.text
        assert "egress" in refused.json()["detail"]
    for url in ("ftp://example.com/x", "not a url", "http://user:pw@127.0.0.1/x"):
        assert tenant.client.post("/webhooks", json={"name": "bad", "url": url}).status_code == 422
    moved = tenant.client.patch(f"/webhooks/{hook['id']}", json={"url": "http://10.0.0.1/"})
    assert moved.status_code == 422
    assert tenant.client.post("/webhooks", json={"name": "", "url": receiver.url()}).status_code == 400
    assert (
        tenant.client.post("/webhooks", json={"name": "x", "url": receiver.url(), "format": "xml"}).status_code == 400
    )

    renamed = tenant.client.patch(f"/webhooks/{hook['id']}", json={"name": "renamed", "format": "slack"}).json()
    assert (renamed["name"], renamed["format"], renamed["secret_hint"]) == ("renamed", "slack", hook["secret_hint"])

    # Another workspace sees and triggers nothing.
    assert other_tenant.client.get("/webhooks").json() == []
    for method, path in (
        ("GET", f"/webhooks/{hook['id']}"),
        ("PATCH", f"/webhooks/{hook['id']}"),
        ("POST", f"/webhooks/{hook['id']}/test"),
        ("GET", f"/webhooks/{hook['id']}/deliveries"),
        ("DELETE", f"/webhooks/{hook['id']}"),
    ):
        answer = other_tenant.client.request(method, path, json={} if method == "PATCH" else None)
        assert answer.status_code == 404, (method, path, answer.text)
    assert receiver.requests == []

    assert tenant.client.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert tenant.client.get(f"/webhooks/{hook['id']}").status_code == 404


def test_only_admins_manage_webhooks(stack: NativeStack, tenant: Tenant, receiver: Receiver) -> None:
    hook = add_webhook(tenant, receiver)
    dsn = stack.env()["POSTGRES_DSN"]
    for role in ("viewer", "editor"):
        key, _ = asyncio.run(create_key(dsn, tenant.workspace, role, role=role))
        with httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}) as client:
            assert client.post("/webhooks", json={"name": "x", "url": receiver.url()}).status_code == 403
            assert client.post(f"/webhooks/{hook['id']}/test").status_code == 403
            assert client.get("/webhooks").status_code == 403  # URLs can be credentials
    assert receiver.requests == []


def test_send_test_is_signed_and_logged(tenant: Tenant, receiver: Receiver) -> None:
    hook = add_webhook(tenant, receiver)
    sent = tenant.client.post(f"/webhooks/{hook['id']}/test")
    assert sent.status_code == 202, sent.text
    [delivery] = settled(tenant, hook["id"], 1)
    assert delivery["status"] == "delivered" and delivery["event_type"] == "webhook.test"
    assert [(a["attempt"], a["status_code"], a["error"]) for a in delivery["attempts"]] == [(1, 200, None)]
    [request] = receiver.requests
    assert verify(SECRET, request.headers[HEADER.lower()], request.body)
    assert not verify("another-secret-0123456789", request.headers[HEADER.lower()], request.body)
    assert not verify(SECRET, request.headers[HEADER.lower()], request.body + b" ")
    assert request.headers["x-tracehouse-event-id"] == sent.json()["event_id"] == delivery["event_id"]
    assert request.headers["x-tracehouse-event"] == "webhook.test"
    body = request.json()
    assert body["id"] == sent.json()["event_id"] and body["type"] == "webhook.test"
    assert body["data"]["webhook_id"] == hook["id"] and "summary" in body["data"]


def test_slack_format(tenant: Tenant, receiver: Receiver) -> None:
    hook = add_webhook(tenant, receiver, format="slack")
    assert tenant.client.post(f"/webhooks/{hook['id']}/test").status_code == 202
    settled(tenant, hook["id"], 1)
    [request] = receiver.requests
    body = request.json()
    assert set(body) == {"text", "blocks"} and "Test event" in body["text"]
    assert body["blocks"][0] == {"type": "section", "text": {"type": "mrkdwn", "text": body["text"]}}
    assert body["blocks"][1]["type"] == "context"
    assert verify(SECRET, request.headers[HEADER.lower()], request.body)


def test_a_500_is_retried_and_delivered_once(tenant: Tenant, receiver: Receiver) -> None:
    receiver.answers = [500]
    hook = add_webhook(tenant, receiver)
    event = tenant.client.post(f"/webhooks/{hook['id']}/test").json()["event_id"]
    [delivery] = settled(tenant, hook["id"], 1)
    assert delivery["status"] == "delivered"
    assert [(a["attempt"], a["status_code"]) for a in delivery["attempts"]] == [(1, 500), (2, 200)]
    assert delivery["attempts"][0]["error"] == "answered 500"
    assert [r.headers["x-tracehouse-event-id"] for r in receiver.requests] == [event, event]


def test_a_refused_address_is_refused_again_at_send_time(
    stack: NativeStack, tenant: Tenant, receiver: Receiver
) -> None:
    """What a name resolves to can change after the save; the sender checks again. Here the stored
    URL is changed behind the API's back, as a DNS change would."""
    hook = add_webhook(tenant, receiver)
    with psycopg.connect(stack.env()["POSTGRES_DSN"], autocommit=True) as conn:
        conn.execute("UPDATE webhooks SET url = 'http://10.20.30.40/hook' WHERE id = %s", (hook["id"],))
    assert tenant.client.post(f"/webhooks/{hook['id']}/test").status_code == 202
    [delivery] = settled(tenant, hook["id"], 1)
    assert delivery["status"] == "failed"
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None and attempt["error"].startswith("refused:")
    assert receiver.requests == []


def trace(client: Client, project: str, count: int, *, error: bool) -> None:
    now = dt.datetime.now(dt.UTC)
    for i in range(count):
        start = now - dt.timedelta(minutes=5, seconds=i)
        client.create_run(
            name=f"{'bad' if error else 'good'}-{i}",
            run_type="chain",
            inputs={"i": i},
            project_name=project,
            start_time=start,
            end_time=start + dt.timedelta(seconds=1),
            error="RuntimeError('boom')" if error else None,
            outputs=None if error else {"ok": True},
        )
    client.flush()


def rule_state(tenant: Tenant, rule_id: str) -> dict[str, Any]:
    response = tenant.client.get(f"/alert-rules/{rule_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_an_alert_fires_and_resolves_once_each(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    project_name = f"alerted-{uuid.uuid4().hex[:6]}"
    trace(client, project_name, 4, error=True)
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == 4, what="the failed runs")
    project = tenant.client.get("/sessions", params={"name": project_name}).json()[0]["id"]
    hook = add_webhook(tenant, receiver)
    rule = {
        "project_id": project,
        "name": "errors",
        "metric": "error_rate",
        "window_minutes": 60,
        "comparison": "gt",
        "threshold": 0.5,
        "breaches_to_fire": 2,
        "oks_to_resolve": 2,
        "webhook_ids": [hook["id"]],
    }
    created = tenant.client.post("/alert-rules", json=rule)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    assert created.json()["state"] == "ok" and created.json()["webhook_ids"] == [hook["id"]]

    # Another workspace sees nothing and cannot use this workspace's project or webhook.
    assert other_tenant.client.get("/alert-rules").json() == []
    assert other_tenant.client.get(f"/alert-rules/{rule_id}").status_code == 404
    assert other_tenant.client.get(f"/alert-rules/{rule_id}/history").status_code == 404
    assert other_tenant.client.patch(f"/alert-rules/{rule_id}", json={"enabled": False}).status_code == 404
    assert other_tenant.client.delete(f"/alert-rules/{rule_id}").status_code == 404
    assert other_tenant.client.post("/alert-rules", json=rule).status_code == 404  # not its project

    # Breaching (4 of 4 traces failed): the first evaluation counts one breach, the second fires.
    run_job(stack, "worker.alerts.evaluate.evaluate")
    first = rule_state(tenant, rule_id)
    assert first["last_value"] == 1.0
    run_job(stack, "worker.alerts.evaluate.evaluate")
    assert rule_state(tenant, rule_id)["state"] == "firing"
    for _ in range(3):  # still breaching: no second firing event
        run_job(stack, "worker.alerts.evaluate.evaluate")
    settled(tenant, hook["id"], 1)

    # Recovery: 16 good traces make the rate 4/20 = 0.2; two good evaluations resolve it.
    trace(client, project_name, 16, error=False)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == 20, what="the good runs")
    run_job(stack, "worker.alerts.evaluate.evaluate")
    run_job(stack, "worker.alerts.evaluate.evaluate")
    state = rule_state(tenant, rule_id)
    assert state["state"] == "ok" and state["last_value"] == pytest.approx(0.2)
    for _ in range(3):
        run_job(stack, "worker.alerts.evaluate.evaluate")
    settled(tenant, hook["id"], 2)

    events = [r.json() for r in receiver.requests]
    assert [e["type"] for e in events] == ["alert.firing", "alert.resolved"]
    firing, resolved = (e["data"] for e in events)
    assert firing["value"] == 1.0 and resolved["value"] == pytest.approx(0.2)
    assert firing["incident_id"] == resolved["incident_id"]
    assert firing["project"] == {"id": project, "name": project_name}
    assert firing["rule"]["id"] == rule_id and "[FIRING] errors" in firing["summary"]
    assert len({r.headers["x-tracehouse-event-id"] for r in receiver.requests}) == 2
    assert all(verify(SECRET, r.headers[HEADER.lower()], r.body) for r in receiver.requests)

    [incident] = tenant.client.get(f"/alert-rules/{rule_id}/history").json()
    assert incident["id"] == firing["incident_id"]
    assert incident["fired_value"] == 1.0 and incident["resolved_value"] == pytest.approx(0.2)
    assert dt.datetime.fromisoformat(incident["resolved_at"]) > dt.datetime.fromisoformat(incident["fired_at"])


def test_alert_rule_validation_and_admin_writes(stack: NativeStack, tenant: Tenant, other_tenant: Tenant) -> None:
    project = tenant.client.post("/sessions", json={"name": f"p-{uuid.uuid4().hex[:6]}"}).json()["id"]
    base = {
        "project_id": project,
        "name": "r",
        "metric": "run_count",
        "window_minutes": 5,
        "comparison": "lt",
        "threshold": 1,
    }
    assert tenant.client.post("/alert-rules", json={**base, "metric": "feedback_avg"}).status_code == 400
    assert tenant.client.post("/alert-rules", json={**base, "feedback_key": "k"}).status_code == 400
    assert tenant.client.post("/alert-rules", json={**base, "metric": "error_rate", "threshold": 5}).status_code == 400
    assert tenant.client.post("/alert-rules", json={**base, "window_minutes": 0}).status_code == 400
    assert tenant.client.post("/alert-rules", json={**base, "metric": "p42"}).status_code == 400
    assert tenant.client.post("/alert-rules", json={**base, "comparison": "~"}).status_code == 400
    foreign = other_tenant.client.post("/webhooks", json={"name": "f", "url": "http://127.0.0.1:9/x"}).json()["id"]
    refused = tenant.client.post("/alert-rules", json={**base, "webhook_ids": [foreign]})
    assert refused.status_code == 422 and "webhook" in refused.json()["detail"]
    assert tenant.client.get("/alert-rules", params={"project_id": project}).json() == []

    made = tenant.client.post("/alert-rules", json={**base, "metric": "feedback_avg", "feedback_key": "correctness"})
    assert made.status_code == 201, made.text
    rule_id = made.json()["id"]
    changed = tenant.client.patch(f"/alert-rules/{rule_id}", json={"metric": "latency_p95", "threshold": 2.5})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["metric"], changed.json()["feedback_key"], changed.json()["threshold"]) == (
        "latency_p95",
        None,
        2.5,
    )
    assert [r["id"] for r in tenant.client.get("/alert-rules", params={"project_id": project}).json()] == [rule_id]

    key, _ = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], tenant.workspace, "editor", role="editor"))
    with httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}) as editor:
        assert editor.get(f"/alert-rules/{rule_id}").status_code == 200  # reading is everyone's
        assert editor.post("/alert-rules", json=base).status_code == 403
        assert editor.patch(f"/alert-rules/{rule_id}", json={"enabled": False}).status_code == 403
        assert editor.delete(f"/alert-rules/{rule_id}").status_code == 403
    assert tenant.client.delete(f"/alert-rules/{rule_id}").status_code == 204
    assert tenant.client.get(f"/alert-rules/{rule_id}").status_code == 404


def test_concurrent_evaluations_raise_one_event(stack: NativeStack, tenant: Tenant, receiver: Receiver) -> None:
    """Two evaluators (two workers, or a retried job next to its original) counting the same
    breach at the same time: the rule's row lock lets one of them make the transition, and the
    other then sees the rule already firing. One event, one delivery."""
    project = tenant.client.post("/sessions", json={"name": f"p-{uuid.uuid4().hex[:6]}"}).json()["id"]
    hook = add_webhook(tenant, receiver)
    rule = {
        "project_id": project,
        "name": "quiet",
        "metric": "run_count",
        "window_minutes": 5,
        "comparison": "lt",
        "threshold": 1,
        "webhook_ids": [hook["id"]],
        "enabled": False,  # so the stack's own schedule leaves it alone
    }
    rule_id = uuid.UUID(tenant.client.post("/alert-rules", json=rule).json()["id"])
    workspace = uuid.UUID(tenant.workspace_id)
    dsn = stack.env()["POSTGRES_DSN"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE alert_rules SET enabled = true WHERE id = %s", (rule_id,))
    results: list[list[uuid.UUID]] = []
    lock = threading.Lock()

    def evaluate_once() -> None:
        with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
            made = transition(conn, rule_id, workspace, 0.0, dt.datetime.now(dt.UTC))
        with lock:
            results.append(made)

    threads = [threading.Thread(target=evaluate_once) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert tenant.client.get(f"/alert-rules/{rule_id}").json()["state"] == "firing"
    assert len(tenant.client.get(f"/alert-rules/{rule_id}/history").json()) == 1
    connection = redis.Redis.from_url(stack.env()["REDIS_URL"])
    enqueue(queue(redis_keys.DEFAULT_QUEUE, connection), [d for r in results for d in r])
    connection.close()
    settled(tenant, hook["id"], 1)
    assert [r.headers["x-tracehouse-event"] for r in receiver.requests] == ["alert.firing"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE alert_rules SET enabled = false WHERE id = %s", (rule_id,))


T0 = dt.datetime(2026, 10, 5, 9, 0, 0, tzinfo=dt.UTC)


def test_each_metric_measures_what_the_monitoring_chart_shows(stack: NativeStack, tenant: Tenant) -> None:
    """Four traces of 1-4 s (the 4 s one failed), each with an LLM call that has a cost, and run
    feedback (0 and 1) on two of them: every metric a rule can watch, measured by the evaluator at
    a fixed time, against the monitoring endpoint over the same window."""
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    name = f"measured-{uuid.uuid4().hex[:6]}"
    roots = []
    for n in range(4):
        start = T0 + dt.timedelta(minutes=10 + n)
        root = RunTree(
            name=f"t{n}", run_type="chain", inputs={"n": n}, start_time=start, project_name=name, client=client
        )
        llm = root.create_child(name="llm", run_type="llm", start_time=start)
        llm.end(
            outputs={
                "usage_metadata": {
                    "input_tokens": 10,
                    "output_tokens": 5,
                    "total_tokens": 15,
                    "input_cost": 0.01,
                    "output_cost": 0.02,
                }
            },
            end_time=start + dt.timedelta(seconds=0.5),
        )
        root.end(outputs={"ok": n}, error="boom" if n == 3 else None, end_time=start + dt.timedelta(seconds=n + 1))
        root.post(exclude_child_runs=False)
        roots.append(root)
    client.flush()
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == 8, what="the traces")
    client.create_feedback(roots[0].id, "correctness", score=0)
    client.create_feedback(roots[1].id, "correctness", score=1)
    client.create_feedback(roots[1].id, "other", score=7)
    wait_for(
        lambda: (
            ch.query("SELECT count() FROM feedback FINAL WHERE workspace_id = %(w)s", {"w": tenant.workspace_id})[0][0]
            == 3
        ),
        what="the feedback",
    )
    project = tenant.client.get("/sessions", params={"name": name}).json()[0]["id"]
    end = T0 + dt.timedelta(hours=1)
    chart = tenant.client.get(
        f"/sessions/{project}/timeseries", params={"start_time": T0.isoformat(), "end_time": end.isoformat()}
    ).json()["totals"]

    def measured(metric: str, *, at: dt.datetime = end, key: str | None = None) -> float | None:
        rule = {
            "workspace_id": tenant.workspace_id,
            "project_id": project,
            "metric": metric,
            "feedback_key": key,
            "window_minutes": 60,
        }
        return measure(ch, rule, at)

    assert measured("run_count") == 4 == chart["run_count"]
    assert measured("error_rate") == 0.25 == chart["error_rate"]
    assert measured("latency_p50") == pytest.approx(chart["latency_p50"])
    assert measured("latency_p99") == pytest.approx(chart["latency_p99"])
    p95 = measured("latency_p95")
    assert p95 is not None and chart["latency_p50"] < p95 < chart["latency_p99"]
    assert measured("cost_per_hour") == pytest.approx(chart["total_cost"]) and chart["total_cost"] > 0
    # Feedback is measured by when it was given (now), over run feedback of this project only.
    now = dt.datetime.now(dt.UTC)
    assert measured("feedback_avg", at=now, key="correctness") == 0.5
    assert measured("feedback_avg", at=now, key="absent") is None
    # An empty window: no rate or latency to breach with; counts and cost are zero.
    empty = T0 - dt.timedelta(days=1)
    assert (measured("error_rate", at=empty), measured("latency_p95", at=empty)) == (None, None)
    assert (measured("run_count", at=empty), measured("cost_per_hour", at=empty)) == (0, 0)
