"""Prometheus metrics on the real stack: what a scrape says matches the traffic that was sent, and
nginx serves the services' metrics only with METRICS_TOKEN (docs/operations.md, "Metrics").

Counters are compared before and after (the stack is shared by the session), never absolutely.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import yaml
from langsmith import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from app.core.deadletters import push_letters
from app.core.ingest import dead_letter
from app.core.metrics import set_service
from app.core.queue import MsgspecSerializer
from tests.conftest import Tenant
from tests.support.ingest_helpers import root_run, wait_for
from tooling.runner import procs
from tooling.runner.nginx import write_config
from tooling.runner.stack import NativeStack
from tooling.runner.stores import free_port, port_open
from tooling.runner.system import which
from worker.metrics import PipelineState

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("backend", "platform", "playground", "queue")
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def service_url(stack: NativeStack, service: str) -> str:
    if service == "queue":
        return f"http://127.0.0.1:{stack.metrics_port('queue-1')}/metrics"
    port = stack.env()[f"{service.upper()}_PORT"]
    return f"http://127.0.0.1:{port}/metrics"


def scrape(stack: NativeStack, service: str) -> Samples:
    response = httpx.get(service_url(stack, service), timeout=10)
    assert response.status_code == 200, response.text
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_request_counter_rises_by_exactly_the_requests_sent(stack: NativeStack, tenant: Tenant) -> None:
    labels = {"service": "backend", "method": "GET", "route": "/api/v1/sessions/{project_id}", "status": "404"}
    before = scrape(stack, "backend")
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for session_id in ids:
        assert tenant.client.get(f"/sessions/{session_id}").status_code == 404
    after = scrape(stack, "backend")
    name = "tracehouse_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 5
    latency = {k: v for k, v in labels.items() if k != "status"}
    count = "tracehouse_http_request_duration_seconds_count"
    assert value(after, count, **latency) - value(before, count, **latency) >= 5
    # The route label is the template: no raw id ever becomes a label value.
    assert not [key for key in after if any(i in v for i in ids for _, v in key[1])]


def test_unknown_paths_share_one_label(stack: NativeStack, tenant: Tenant) -> None:
    labels = {"service": "backend", "method": "GET", "route": "unmatched", "status": "404"}
    before = scrape(stack, "backend")
    paths = [f"/no-such-thing-{uuid.uuid4().hex}" for _ in range(3)]
    for path in paths:
        assert tenant.client.get(path).status_code == 404
    after = scrape(stack, "backend")
    name = "tracehouse_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 3
    assert not [key for key in after if any(p in v for p in paths for _, v in key[1])]


def test_platform_counts_every_request_whichever_worker_answers(stack: NativeStack, anonymous: httpx.Client) -> None:
    # The platform runs two granian workers; whichever answered, the scrape counts every request.
    labels = {"service": "platform", "method": "GET", "route": "/api/v1/info", "status": "200"}
    before = scrape(stack, "platform")
    for _ in range(8):
        assert anonymous.get("/info").status_code == 200
    after = scrape(stack, "platform")
    name = "tracehouse_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 8


def test_a_failed_login_counts_once(stack: NativeStack, anonymous: httpx.Client) -> None:
    name, labels = "tracehouse_login_failures_total", {"reason": "credentials"}
    before = value(scrape(stack, "platform"), name, **labels)
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    response = anonymous.post("/auth/login", json={"email": email, "password": "not the password"})
    assert response.status_code == 401
    assert value(scrape(stack, "platform"), name, **labels) - before == 1


def test_dead_letters_are_reported(stack: NativeStack) -> None:
    connection = redis.Redis.from_url(stack.env()["REDIS_URL"])
    before = scrape(stack, "queue")
    letter = dead_letter(
        workspace_id=str(uuid.uuid4()), stage="api", kind="post", item_id="x", reason="metrics test", item={"id": "x"}
    )
    push_letters(connection, [letter])
    after = scrape(stack, "queue")
    assert value(after, "tracehouse_queue_state_up") == 1
    assert value(after, "tracehouse_deadletters") - value(before, "tracehouse_deadletters") == 1
    grown = value(after, "tracehouse_deadletter_bytes") - value(before, "tracehouse_deadletter_bytes")
    assert grown == len(letter)
    for queue in ("ingest", "default"):
        assert ("tracehouse_queue_jobs", frozenset({("queue", queue)})) in after


def test_queue_depth_and_oldest_job_age(stack: NativeStack) -> None:
    # A queue no worker listens to holds a known state; the collector reads it from the real Redis.
    connection = redis.Redis.from_url(stack.env()["REDIS_URL"])
    queue = Queue(f"metrics-{uuid.uuid4().hex[:8]}", connection=connection, serializer=MsgspecSerializer)
    jobs = [queue.enqueue_call("worker.jobs.ingest", args=(b"",)) for _ in range(3)]
    two_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    connection.hset(jobs[0].key, "enqueued_at", two_minutes_ago.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    try:
        samples = parse_collector(PipelineState(connection, [queue]))
        assert value(samples, "tracehouse_queue_jobs", queue=queue.name) == 3
        assert 120 <= value(samples, "tracehouse_queue_oldest_job_age_seconds", queue=queue.name) < 3600
        queue.empty()
        samples = parse_collector(PipelineState(connection, [queue]))
        assert value(samples, "tracehouse_queue_jobs", queue=queue.name) == 0
        assert value(samples, "tracehouse_queue_oldest_job_age_seconds", queue=queue.name) == 0
    finally:
        queue.delete(delete_jobs=True)


def test_an_unreachable_redis_is_reported_not_raised() -> None:
    # A real client against a port nobody listens on: the scrape still answers, says the state is
    # unreadable, and counts a Redis error.
    down = redis.Redis(port=free_port(), socket_connect_timeout=1)
    set_service("test")
    labels = {"service": "test", "store": "redis"}
    before = REGISTRY.get_sample_value("tracehouse_store_errors_total", labels) or 0.0
    samples = parse_collector(PipelineState(down, [Queue("ingest", connection=down)]))
    assert value(samples, "tracehouse_queue_state_up") == 0
    assert ("tracehouse_queue_jobs", frozenset({("queue", "ingest")})) not in samples
    assert REGISTRY.get_sample_value("tracehouse_store_errors_total", labels) == before + 1


def parse_collector(collector: PipelineState) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value for family in collector.collect() for s in family.samples}


def test_writer_metrics_move_after_an_sdk_ingest(stack: NativeStack, api_url: str, tenant: Tenant) -> None:
    def counts() -> tuple[float, float]:
        samples = scrape(stack, "queue")
        return (
            value(samples, "tracehouse_writer_batch_items_count", table="runs"),
            value(samples, "tracehouse_ingest_lag_seconds_count"),
        )

    batches, lags = counts()
    client = Client(api_url=api_url, api_key=tenant.key)
    run_id = uuid.uuid4()
    client.create_run("metrics-run", inputs={"q": 1}, run_type="chain", id=run_id, project_name="metrics")
    client.flush()
    wait_for(lambda: (now := counts())[0] > batches and now[1] > lags, what="the writer's metrics to move")
    samples = scrape(stack, "queue")
    assert value(samples, "tracehouse_writer_insert_duration_seconds_count", table="runs") >= 1
    assert ("tracehouse_ingest_stream_pending", frozenset()) in samples


# --- through nginx -------------------------------------------------------------------------------


def raw_get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET exactly `path` (no client-side normalisation of `..` or escapes)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def test_without_a_token_configured_nginx_exposes_no_metrics(stack: NativeStack) -> None:
    assert stack.env().get("METRICS_TOKEN", "") == ""
    for service in SERVICES:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"}):
            status, body = raw_get(stack.url, f"/metrics/{service}", headers)
            assert status == 404, (service, headers, body)
            assert "# HELP" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",
        "/api/metrics",
        "/api/v1/metrics",
        "/api/v1/playground/../../metrics",
        "/api/%2e%2e/metrics",
        "/api/v1/%2E%2E/%2E%2E/metrics",
        "/api/..%2fmetrics",
        "/otel/../metrics",
        "/otel/%2e%2e/metrics",
        "/metrics/backend/",
        "/metrics/other",
    ],
)
def test_service_metrics_are_not_reachable_through_other_routes(stack: NativeStack, path: str) -> None:
    status, body = raw_get(stack.url, path)
    assert "tracehouse_http_requests" not in body and "# TYPE" not in body, (path, status)


@pytest.fixture(scope="module")
def token_nginx(stack: NativeStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A second nginx from the same template, in front of the same services, with METRICS_TOKEN set
    (the session's stack runs with the .env.example default: empty)."""
    token = secrets.token_urlsafe(32)
    root = tmp_path_factory.mktemp("nginx-metrics")
    port = free_port()
    values = {**stack.nginx_values(), "FRONTEND_LISTEN": f"127.0.0.1:{port}", "METRICS_TOKEN": token}
    values["ACCESS_LOG"] = str(root / "access.log")
    values["ACCESS_LOG_FORMAT"] = "tracehouse_json"  # as LOG_FORMAT=json renders it
    conf = write_config(root, values)
    nginx = which("nginx")
    assert nginx is not None
    check = subprocess.run([nginx, "-t", "-q", "-c", str(conf)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    pid_file = root / "nginx.run.pid"
    procs.spawn([nginx, "-c", str(conf), "-g", "daemon off;"], log_file=root / "nginx.log", pid_file=pid_file)
    try:
        wait_for(lambda: port_open(port), what="the second nginx")
        yield f"http://127.0.0.1:{port}", token, root / "access.log"
    finally:
        procs.stop(pid_file)


def test_with_the_token_nginx_serves_each_service(token_nginx: tuple[str, str, Path]) -> None:
    url, token, _ = token_nginx
    for service in SERVICES:
        assert raw_get(url, f"/metrics/{service}")[0] == 404
        assert raw_get(url, f"/metrics/{service}", {"Authorization": f"Bearer {token}x"})[0] == 404
        assert raw_get(url, f"/metrics/{service}", {"Authorization": f"Bearer {token[:-1]}"})[0] == 404
        assert raw_get(url, f"/metrics/{service}", {"Authorization": token})[0] == 404
        response = httpx.get(f"{url}/metrics/{service}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, (service, response.text)
        assert response.headers["content-type"].startswith("text/plain")
        names = {family.name for family in text_string_to_metric_families(response.text)}
        if service == "queue":
            assert {"tracehouse_queue_jobs", "tracehouse_writer_batch_items"} <= names
        else:
            assert "tracehouse_http_requests" in names, service


def test_alert_rules_name_only_metrics_the_services_expose(stack: NativeStack) -> None:
    exposed: set[str] = set()
    for service in SERVICES:
        exposed |= {name for name, _ in scrape(stack, service)}
        response = httpx.get(service_url(stack, service), timeout=10)
        exposed |= {family.name for family in text_string_to_metric_families(response.text)}
    rules = yaml.safe_load((ROOT / "docs" / "prometheus" / "alerts.yml").read_text())
    named = {name for group in rules["groups"] for rule in group["rules"] for name in metric_names(rule["expr"])}
    assert named, "no metric found in the rules"
    assert named <= exposed, sorted(named - exposed)


def metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\btracehouse_[a-z_]+\b", expr))


def test_a_scrape_right_after_a_response_already_counts_it(stack: NativeStack, tenant: Tenant) -> None:
    # Counted when the response starts, before the client has it: no polling needed.
    labels = {"service": "backend", "method": "GET", "route": "/api/v1/sessions", "status": "200"}
    name = "tracehouse_http_requests_total"
    for _ in range(3):
        before = value(scrape(stack, "backend"), name, **labels)
        assert tenant.client.get("/sessions").status_code == 200
        assert value(scrape(stack, "backend"), name, **labels) == before + 1


# --- logs ----------------------------------------------------------------------------------------


def test_json_access_log_lines_carry_the_request_id(token_nginx: tuple[str, str, Path]) -> None:
    url, _, access_log = token_nginx
    request_id = f"rid-{uuid.uuid4().hex}"
    assert httpx.get(f"{url}/api/v1/info", headers={"X-Request-Id": request_id}, timeout=10).status_code == 200

    def line() -> dict[str, str] | None:
        entries = [json.loads(x) for x in access_log.read_text().splitlines() if x.strip()]
        return next((e for e in entries if e["request_id"] == request_id), None)

    entry = wait_for(line, what="the access log line")
    assert entry["uri"] == "/api/v1/info" and entry["status"] == "200" and entry["service"] == "frontend"


def test_a_queue_job_logs_with_the_request_id_of_its_ingest_request(stack: NativeStack, tenant: Tenant) -> None:
    request_id = f"rid-{uuid.uuid4().hex}"
    bad = root_run(name="inconsistent")
    bad["dotted_order"] = bad["dotted_order"][:-36] + str(uuid.uuid4())  # set aside by the worker, with a warning
    response = tenant.client.post("/runs/batch", json={"post": [bad]}, headers={"X-Request-Id": request_id})
    assert response.status_code == 202, response.text
    log_file = stack.data_dir / "logs" / "queue-1.log"
    lines = wait_for(
        lambda: [x for x in log_file.read_text(errors="replace").splitlines() if request_id in x],
        what="the job's log line",
    )
    assert any("set aside" in x for x in lines), lines
