"""Metric labels stay bounded, store errors are counted by store, the sample Prometheus files parse,
and the metrics token cannot break out of nginx's config."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar import get
from litestar.params import FromPath
from litestar.testing import TestClient
from prometheus_client import REGISTRY
from prometheus_client import values as prometheus_values
from prometheus_client.parser import text_string_to_metric_families

from app.core.errors import StoreUnavailable
from app.core.http import Stores, create_service_app
from app.core.metrics import (
    UNMATCHED_ROUTE,
    method_label,
    prepare_multiprocess_dir,
    remove_multiprocess_dir,
    route_label,
    set_service,
)
from tooling.runner.nginx import metrics_token

ROOT = Path(__file__).resolve().parents[3]


@get("/api/v1/things/{thing_id:uuid}", opt={"exclude_from_auth": True}, sync_to_thread=False)
def thing(thing_id: FromPath[uuid.UUID]) -> dict[str, str]:
    return {"id": str(thing_id)}


def requests(service: str, route: str, status: str, method: str = "GET") -> float:
    labels = {"service": service, "method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("tracehouse_http_requests_total", labels) or 0.0


def test_routes_are_labelled_by_template_and_unknown_paths_by_one_label() -> None:
    service = f"unit-{uuid.uuid4().hex[:6]}"
    app = create_service_app(service=service, settings=object(), route_handlers=[thing], stores=Stores())
    ids = [str(uuid.uuid4()) for _ in range(3)]
    with TestClient(app) as client:
        for thing_id in ids:
            assert client.get(f"/api/v1/things/{thing_id}").status_code == 200
            assert client.get(f"/api/v1/unknown/{thing_id}").status_code == 404
        assert client.request("BREW", "/api/v1/things/x").status_code in (404, 405)
        metrics = client.get("/metrics")
    assert requests(service, "/api/v1/things/{thing_id}", "200") == 3
    assert requests(service, UNMATCHED_ROUTE, "404") == 3
    assert requests(service, UNMATCHED_ROUTE, "404", "other") + requests(service, UNMATCHED_ROUTE, "405", "other") == 1
    assert metrics.status_code == 200
    names = {family.name for family in text_string_to_metric_families(metrics.text)}
    assert "tracehouse_http_requests" in names
    # No raw path or id ever becomes a label value.
    for family in text_string_to_metric_families(metrics.text):
        for sample in family.samples:
            assert not any(i in v for i in ids for v in sample.labels.values()), sample


def test_label_helpers() -> None:
    assert route_label(None) == route_label("") == "unmatched"
    assert route_label("/api/v1/runs/{run_id}") == "/api/v1/runs/{run_id}"
    assert method_label("PATCH") == "PATCH"
    assert method_label("BREW") == method_label("get") == "other"


@pytest.mark.parametrize(("detail", "store"), [("postgres unavailable: x", "postgres"), ("weird", "other")])
def test_store_unavailable_counts_itself_by_store(detail: str, store: str) -> None:
    set_service("unit-store")
    labels = {"service": "unit-store", "store": store}
    before = REGISTRY.get_sample_value("tracehouse_store_errors_total", labels) or 0.0
    StoreUnavailable(detail)
    assert REGISTRY.get_sample_value("tracehouse_store_errors_total", labels) == before + 1


def test_sample_prometheus_files_parse() -> None:
    config: dict[str, Any] = yaml.safe_load((ROOT / "docs" / "prometheus" / "prometheus.yml").read_text())
    paths = {job["metrics_path"] for job in config["scrape_configs"]}
    assert paths == {f"/metrics/{s}" for s in ("backend", "platform", "playground", "queue")}
    assert config["rule_files"] == ["alerts.yml"]
    rules = yaml.safe_load((ROOT / "docs" / "prometheus" / "alerts.yml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert alerts and all({"alert", "expr", "annotations"} <= set(rule) for rule in alerts)
    assert all("tracehouse_" in rule["expr"] for rule in alerts)


@pytest.mark.parametrize("bad", ["short", 'a" ; allow all; "' + "x" * 20, "x" * 65, "x" * 20 + "\n"])
def test_a_metrics_token_that_could_break_the_config_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="METRICS_TOKEN"):
        metrics_token(bad)
    assert metrics_token("") == ""
    assert metrics_token("A-z0_9.~+/=" * 2) == "A-z0_9.~+/=" * 2


def test_each_start_gets_a_fresh_directory_and_dead_ones_are_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    # Above Linux's largest pid (2**22): no such process can be running.
    stale = tmp_path / f"tracehouse-metrics-unit-{2**22 + 12345}-abc"
    stale.mkdir()
    (stale / "counter_1.db").write_bytes(b"old")
    other = tmp_path / "tracehouse-metrics-otherservice-1-abc"  # pid 1 is alive: kept
    other.mkdir()
    path = prepare_multiprocess_dir("unit")
    try:
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(path)
        assert path.parent == tmp_path and list(path.iterdir()) == []
        assert not stale.exists() and other.exists()
    finally:
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
        prometheus_values.ValueClass = prometheus_values.get_value_class()  # type: ignore[no-untyped-call]
        remove_multiprocess_dir(path)
    assert not path.exists()
