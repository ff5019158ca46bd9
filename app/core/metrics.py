"""Prometheus metrics of every service (docs/operations.md, "Metrics", lists them).

The HTTP services run several granian worker processes, each with its own counters. They use
prometheus_client's multiprocess mode: `serve()` gives each start of a service a fresh directory
(`PROMETHEUS_MULTIPROC_DIR`) before granian forks its workers, every worker writes its values there,
and `/metrics` sums the directory. The queue service is one process and keeps the default registry.

Labels are bounded on purpose: a route is its template (`/api/v1/runs/{run_id}`), never the raw
path, and a request no route matched is `unmatched`; a method outside the HTTP set is `other`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import values as prometheus_values
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_DIR_PREFIX = "tracehouse-metrics-"
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED_ROUTE = "unmatched"
STORES = ("postgres", "clickhouse", "redis")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Seconds. The SDK waits at most 10 s for an answer; queries may take up to 30 s.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Ingest lag spans the writer's 1 s batching up to a ClickHouse outage of minutes.
_LAG_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
_BATCH_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)

HTTP_REQUESTS = Counter(
    "tracehouse_http_requests",
    "HTTP requests answered, by service, method, route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "tracehouse_http_request_duration_seconds",
    "Time from a request's arrival to its response headers, by service, method and route template.",
    ["service", "method", "route"],
    buckets=_LATENCY_BUCKETS,
)
STORE_ERRORS = Counter(
    "tracehouse_store_errors",
    "Times a store was unavailable (a StoreUnavailable raised, or a writer step that failed on it).",
    ["service", "store"],
)
LOGIN_FAILURES = Counter(
    "tracehouse_login_failures",
    "Refused logins: reason is credentials (wrong email or password, disabled account) or throttled.",
    ["reason"],
)
WRITER_BATCH_ITEMS = Histogram(
    "tracehouse_writer_batch_items",
    "Rows the writer inserted in one batch, by table (runs, feedback, attachments).",
    ["table"],
    buckets=_BATCH_BUCKETS,
)
WRITER_INSERT_SECONDS = Histogram(
    "tracehouse_writer_insert_duration_seconds",
    "Time of one INSERT of a writer batch into ClickHouse, by table.",
    ["table"],
    buckets=_LATENCY_BUCKETS,
)
INGEST_LAG = Histogram(
    "tracehouse_ingest_lag_seconds",
    "Time from a run op's acceptance (the ingest answer) to its row being written in ClickHouse.",
    buckets=_LAG_BUCKETS,
)

# Which service this process is (set once at start); labels the HTTP and store-error series.
_process = {"service": "unknown"}


def set_service(service: str) -> None:
    _process["service"] = service
    # Series that exist from the start (at 0) make `increase()` see the first failure and let
    # alert rules name them before anything went wrong.
    for store in STORES:
        STORE_ERRORS.labels(service, store)


def prepare_multiprocess_dir(service: str) -> Path:
    """A fresh, empty directory for this start of `service`'s workers' values, named in the
    environment the forked workers inherit. Fresh per start (not a fixed path) so neither a
    previous run's values nor another stack's service on the same host can leak into the sums.
    Directories left by a process that died without cleaning up (SIGKILL) are removed here."""
    base = Path(tempfile.gettempdir())
    for stale in base.glob(f"{_DIR_PREFIX}{service}-*"):
        owner = stale.name.removeprefix(f"{_DIR_PREFIX}{service}-").split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(stale, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=f"{_DIR_PREFIX}{service}-{os.getpid()}-"))
    os.environ[MULTIPROC_ENV] = str(path)
    if "prometheus_client" in sys.modules:
        # The value class is chosen from the environment when prometheus_client is imported;
        # anything imported it before the directory was known, so choose again.
        prometheus_values.ValueClass = prometheus_values.get_value_class()  # type: ignore[no-untyped-call]
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_multiprocess_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def exposition() -> bytes:
    """The text exposition of this process's metrics (all of a service's workers in multiprocess
    mode)."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def method_label(method: str) -> str:
    return method if method in _METHODS else "other"


def route_label(path_template: str | None) -> str:
    """The route label of a request: its route's template, or one label for every unmatched path."""
    return path_template or UNMATCHED_ROUTE


def observe_request(method: str, path_template: str | None, status: int, seconds: float) -> None:
    method, route = method_label(method), route_label(path_template)
    HTTP_REQUESTS.labels(_process["service"], method, route, str(status)).inc()
    HTTP_LATENCY.labels(_process["service"], method, route).observe(seconds)


def note_store_error(store: str) -> None:
    STORE_ERRORS.labels(_process["service"], store if store in STORES else "other").inc()


ASGISend = Callable[[Any], Awaitable[None]]


def timed_send(send: ASGISend, scope: Any) -> ASGISend:
    """Wrap an ASGI `send` so the response's start is counted before the client can see it: a
    scrape right after a response already includes it. Reads the route template the router put
    in the scope (the same dict) once routing happened."""
    started = time.perf_counter()

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start":
            observe_request(
                scope.get("method", ""), scope.get("path_template"), message["status"], time.perf_counter() - started
            )
        await send(message)

    return wrapped
