"""Costs told honestly and project stats over a window, over a corpus traced with the official SDK.

`unpriced_models` (on the monitoring time series and on each project's stats) names the models of
LLM runs that recorded tokens but no cost: the UI says "no prices for …" instead of a $0 that reads
as free. `stats_start_time` on GET /sessions?include_stats computes a project's stats (runs,
tokens, feedback) over the runs started from then on: the projects list's time range.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from langsmith import Client
from langsmith.run_trees import RunTree

from tests.conftest import Tenant, make_tenant
from tests.support.ingest_helpers import clickhouse, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
OLD = NOW - dt.timedelta(days=3)


def _trace(client: Client, project: str, start: dt.datetime, model: str, *, tokens: int, cost: bool) -> str:
    """A chain root with one LLM child naming `model`, with `tokens` of usage (and a cost when `cost`)."""
    root = RunTree(
        name="agent", run_type="chain", inputs={"q": model}, start_time=start, project_name=project, client=client
    )
    llm = root.create_child(
        name="llm",
        run_type="llm",
        start_time=start + dt.timedelta(milliseconds=10),
        extra={"metadata": {"ls_provider": "openai", "ls_model_name": model}},
    )
    usage: dict[str, Any] = {"input_tokens": tokens, "output_tokens": 0, "total_tokens": tokens}
    if cost:
        usage["input_cost"] = tokens * 1e-6
    llm.end(
        outputs={"messages": [{"role": "assistant", "content": "ok"}], "usage_metadata": usage},
        end_time=start + dt.timedelta(seconds=1),
    )
    root.end(outputs={"a": "ok"}, end_time=start + dt.timedelta(seconds=1))
    root.post(exclude_child_runs=False)
    return str(root.id)


@pytest.fixture(scope="module")
def corpus(stack: NativeStack) -> Iterator[dict[str, Any]]:
    """Recent: house-model-mini without cost, priced-model with cost, quiet-model without tokens.
    Three days ago: old-model without cost. Feedback `recent` on a recent root, `old` on the old one."""
    tenant = make_tenant(stack)
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    project = f"costs-{uuid.uuid4().hex[:6]}"
    recent = _trace(client, project, NOW - dt.timedelta(hours=2), "house-model-mini", tokens=120, cost=False)
    _trace(client, project, NOW - dt.timedelta(hours=2), "house-model-mini", tokens=30, cost=False)
    _trace(client, project, NOW - dt.timedelta(hours=1), "priced-model", tokens=50, cost=True)
    _trace(client, project, NOW - dt.timedelta(hours=1), "quiet-model", tokens=0, cost=False)
    old = _trace(client, project, OLD, "old-model", tokens=70, cost=False)
    client.flush()
    wait_for(lambda: len(run_rows(clickhouse(stack), tenant.workspace_id)) == 10, what="the corpus")
    project_id = tenant.client.get("/sessions", params={"name": project}).json()[0]["id"]
    client.create_feedback(recent, key="recent", score=1.0)
    client.create_feedback(old, key="old", score=0.0)
    wait_for(lambda: len(tenant.client.get("/feedback", params={"run": [recent, old]}).json()) == 2, what="feedback")
    yield {"tenant": tenant, "project_id": project_id}
    tenant.client.close()


def _stats(tenant: Tenant, project_id: str, **params: Any) -> dict[str, Any]:
    response = tenant.client.get("/sessions", params={"id": project_id, "include_stats": "true", **params})
    assert response.status_code == 200, response.text
    (project,) = response.json()
    return project


def test_the_time_series_names_the_models_without_prices(corpus: dict[str, Any]) -> None:
    tenant, project_id = corpus["tenant"], corpus["project_id"]
    day = tenant.client.get(f"/sessions/{project_id}/timeseries").json()  # the last 24 hours
    # Tokens but no cost: named. Priced, or no tokens at all: not. Outside the window: not.
    assert day["unpriced_models"] == ["house-model-mini"]
    week = tenant.client.get(
        f"/sessions/{project_id}/timeseries",
        params={
            "start_time": (NOW - dt.timedelta(days=7)).isoformat(),
            "end_time": (NOW + dt.timedelta(hours=1)).isoformat(),
        },
    ).json()
    assert week["unpriced_models"] == ["house-model-mini", "old-model"]  # most tokens first (150 > 70)


def test_project_stats_name_unpriced_models_and_honour_a_window(corpus: dict[str, Any]) -> None:
    tenant, project_id = corpus["tenant"], corpus["project_id"]
    all_time = _stats(tenant, project_id)
    assert all_time["unpriced_models"] == ["house-model-mini", "old-model"]
    assert all_time["run_count"] == 5 and all_time["total_tokens"] == 270
    assert set(all_time["feedback_stats"]) == {"recent", "old"}
    since = (NOW - dt.timedelta(days=1)).isoformat()
    day = _stats(tenant, project_id, stats_start_time=since)
    assert day["unpriced_models"] == ["house-model-mini"]
    assert day["run_count"] == 4 and day["total_tokens"] == 200
    assert day["feedback_stats"] == {"recent": {"n": 1, "avg": 1.0, "stdev": 0.0, "errors": 0, "values": {}}}
    # A window with nothing in it: zero counts, no models, no feedback.
    empty = _stats(tenant, project_id, stats_start_time=(NOW + dt.timedelta(days=1)).isoformat())
    assert empty["run_count"] == 0 and empty["unpriced_models"] == [] and empty["feedback_stats"] == {}
    bad = tenant.client.get("/sessions", params={"include_stats": "true", "stats_start_time": "yesterday"})
    assert bad.status_code == 400, bad.text
    # Times a ClickHouse DateTime64 cannot hold are the caller's mistake or all time, never a 5xx.
    for far in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        answer = tenant.client.get("/sessions", params={"include_stats": "true", "stats_start_time": far})
        assert answer.status_code < 500, answer.text


def test_another_workspace_sees_none_of_it(corpus: dict[str, Any], other_tenant: Tenant) -> None:
    project_id = corpus["project_id"]
    assert other_tenant.client.get(f"/sessions/{project_id}/timeseries").status_code == 404
    listed = other_tenant.client.get("/sessions", params={"id": project_id, "include_stats": "true"})
    assert listed.status_code == 200 and listed.json() == []


def test_runs_stats_name_the_unpriced_models_of_the_filtered_runs(corpus: dict[str, Any]) -> None:
    """POST /runs/stats (the runs page's summary) names them too, for the runs its body selects."""
    tenant, project_id = corpus["tenant"], corpus["project_id"]

    def stats(**body: Any) -> dict[str, Any]:
        response = tenant.client.post("/runs/stats", json={"session": [project_id], **body})
        assert response.status_code == 200, response.text
        return response.json()

    assert stats()["unpriced_models"] == ["house-model-mini", "old-model"]
    recent = stats(start_time=(NOW - dt.timedelta(days=1)).isoformat())
    assert recent["unpriced_models"] == ["house-model-mini"] and float(recent["total_cost"]) == pytest.approx(50e-6)
    assert stats(filter='eq(run_type, "chain")')["unpriced_models"] == []  # roots carry no model
