"""list_runs through the official SDK: every operator and field of the filter language, trace and
tree filters, select, order and cursor pagination, over a known corpus ingested for this module; and
get_run_stats over a small chat project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from langsmith import Client
from langsmith.utils import LangSmithError

from tests.conftest import Tenant, make_tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
T0 = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)
MANY = 230
DENSE = 120


def _timed(run: dict, start: dt.datetime, seconds: float) -> dict:
    """Rewrite a run's times (and the time part of its dotted order's last segment)."""
    run["start_time"] = start.isoformat()
    run["end_time"] = (start + dt.timedelta(seconds=seconds)).isoformat()
    segments = run["dotted_order"].split(".")
    segments[-1] = start.strftime("%Y%m%dT%H%M%S%fZ") + run["id"]
    run["dotted_order"] = ".".join(segments)
    return run


def _corpus() -> tuple[list[dict], list[dict]]:
    t1 = _timed(
        root_run(
            "alpha",
            "corpus",
            tags=["beta"],
            extra={"metadata": {"env": "prod"}},
            inputs={"question": "what colour is the sky"},
            outputs={"answer": "blue"},
        ),
        T0,
        1.0,
    )
    l1 = _timed(
        child_run(
            t1,
            "llm-1",
            run_type="llm",
            outputs={"usage_metadata": {"input_tokens": 20, "output_tokens": 10, "total_tokens": 30}},
        ),
        T0 + dt.timedelta(seconds=0.1),
        3.0,
    )
    t2 = _timed(root_run("beta-run", "corpus", error="ValueError('boom')"), T0 + dt.timedelta(minutes=1), 0.5)
    s2 = _timed(child_run(t2, "search-tool"), T0 + dt.timedelta(minutes=1, seconds=0.1), 0.2)
    t3 = _timed(
        root_run(
            "gamma",
            "corpus",
            tags=["exp"],
            extra={"metadata": {"env": "dev", "session_id": "thr-1"}},
            inputs={"question": "and the grass"},
        ),
        T0 + dt.timedelta(minutes=2),
        2.0,
    )
    l3 = _timed(
        child_run(
            t3,
            "llm-2",
            run_type="llm",
            outputs={"usage_metadata": {"input_tokens": 6, "output_tokens": 4, "total_tokens": 10}},
        ),
        T0 + dt.timedelta(minutes=2, seconds=0.1),
        2.5,
    )
    runs = [t1, l1, t2, s2, t3, l3]
    many = [_timed(root_run(f"bulk-{i:03}", "many"), T0 + dt.timedelta(seconds=i), 0.01) for i in range(MANY)]
    # All within one second, as evaluate() makes them: the cursor must keep its microseconds.
    dense = [
        _timed(root_run(f"dense-{i:03}", "dense"), T0 + dt.timedelta(hours=1, microseconds=1000 * i), 0.01)
        for i in range(DENSE)
    ]
    feedback = [
        {
            "id": str(__import__("uuid").uuid4()),
            "run_id": t1["id"],
            "trace_id": t1["id"],
            "key": "correctness",
            "score": 1.0,
        },
        {
            "id": str(__import__("uuid").uuid4()),
            "run_id": t3["id"],
            "trace_id": t3["id"],
            "key": "correctness",
            "score": 0.2,
        },
    ]
    # Token breakdowns, in outputs' usage_metadata and in metadata's (a project of their own).
    d = root_run("details-root", "details")
    details = [
        d,
        child_run(
            d,
            "cached-llm",
            run_type="llm",
            outputs={
                "usage_metadata": {
                    "input_tokens": 100,
                    "output_tokens": 20,
                    "total_tokens": 120,
                    "input_token_details": {"cache_read": 80, "audio": 0},
                    "output_token_details": {"reasoning": 12},
                    "input_cost_details": {"cache_read": 2e-7},
                    "output_cost_details": {"reasoning": 3e-6, "junk": "x"},
                }
            },
        ),
        child_run(
            d,
            "meta-llm",
            run_type="llm",
            outputs={"text": "hi"},
            extra={
                "metadata": {
                    "usage_metadata": {
                        "input_tokens": 3,
                        "output_tokens": 1,
                        "total_tokens": 4,
                        "input_token_details": {"cache_creation": 3, "note": "not a count"},
                    }
                }
            },
        ),
    ]
    return runs + many + dense + details, feedback


@pytest.fixture(scope="module")
def corpus(stack: NativeStack) -> Iterator[tuple[Tenant, Client]]:
    tenant = make_tenant(stack)
    runs, feedback = _corpus()
    parts = [json_part(f"post.{r['id']}", r) for r in runs] + [json_part(f"feedback.{f['id']}", f) for f in feedback]
    body, content_type = multipart(parts)
    assert (
        tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 202
    )
    ch = clickhouse(stack)
    wait_for(
        lambda: (
            len(run_rows(ch, tenant.workspace_id)) == len(runs)
            and ch.query("SELECT count() FROM feedback FINAL WHERE workspace_id = %(w)s", {"w": tenant.workspace_id})[
                0
            ][0]
            == 2
        ),
        what="the corpus",
    )
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    yield tenant, client
    tenant.client.close()


def names(client: Client, **kw: Any) -> set[str]:
    return {r.name for r in client.list_runs(project_name="corpus", **kw)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('eq(name, "alpha")', {"alpha"}),
        ('neq(run_type, "chain")', {"llm-1", "search-tool", "llm-2"}),
        ('eq(run_type, "llm")', {"llm-1", "llm-2"}),
        ("gt(latency, 2)", {"llm-1", "llm-2"}),
        ('gte(latency, "2s")', {"llm-1", "llm-2", "gamma"}),
        ('lt(latency, "600ms")', {"beta-run", "search-tool"}),
        ("lte(total_tokens, 10)", {"alpha", "beta-run", "search-tool", "gamma", "llm-2"}),
        ("gt(prompt_tokens, 10)", {"llm-1"}),
        ("eq(completion_tokens, 4)", {"llm-2"}),
        ('has(tags, "beta")', {"alpha"}),
        ('eq(status, "error")', {"beta-run"}),
        ("neq(error, null)", {"beta-run"}),
        ("exists(error)", {"beta-run"}),
        ('in(name, ["alpha", "gamma", "nope"])', {"alpha", "gamma"}),
        ('search("grass")', {"gamma"}),
        ('search(inputs, "colour")', {"alpha"}),
        ('and(eq(metadata_key, "env"), eq(metadata_value, "dev"))', {"gamma"}),
        ('and(eq(input_key, "question"), eq(input_value, "and the grass"))', {"gamma"}),
        ('and(eq(output_key, "answer"), eq(output_value, "blue"))', {"alpha"}),
        ('and(eq(feedback_key, "correctness"), gte(feedback_score, 0.5))', {"alpha"}),
        ('eq(feedback_key, "correctness")', {"alpha", "gamma"}),
        ('eq(thread_id, "thr-1")', {"gamma"}),
        ("eq(is_root, true)", {"alpha", "beta-run", "gamma"}),
        (f'gt(start_time, "{(T0 + dt.timedelta(seconds=90)).isoformat()}")', {"gamma", "llm-2"}),
        ('or(eq(name, "alpha"), and(eq(run_type, "tool"), not(has(tags, "beta"))))', {"alpha", "search-tool"}),
    ],
)
def test_filter_operators_and_fields(corpus: tuple[Tenant, Client], query: str, expected: set[str]) -> None:
    _, client = corpus
    assert names(client, filter=query) == expected


def test_id_and_time_fields(corpus: tuple[Tenant, Client]) -> None:
    _, client = corpus
    alpha = next(client.list_runs(project_name="corpus", filter='eq(name, "alpha")'))
    assert names(client, filter=f'eq(id, "{alpha.id}")') == {"alpha"}
    assert names(client, filter=f'eq(trace_id, "{alpha.id}")') == {"alpha", "llm-1"}
    assert names(client, filter=f'eq(parent_run_id, "{alpha.id}")') == {"llm-1"}
    assert names(client, filter="eq(parent_run_id, null)") == {"alpha", "beta-run", "gamma"}
    assert names(client, filter="eq(reference_example_id, null)") == names(client)
    cutoff = (T0 + dt.timedelta(seconds=2)).isoformat()
    assert names(client, filter=f'lt(end_time, "{cutoff}")') == {"alpha"}
    assert names(client, filter="gt(total_cost, 0)") == set()  # no price table yet: costs are empty
    assert names(client, filter='eq(session_id, "00000000-0000-0000-0000-000000000000")') == set()


def test_trace_and_tree_filters(corpus: tuple[Tenant, Client]) -> None:
    _, client = corpus
    # Runs of traces whose root carries the tag; of traces containing any llm run slower than 2.8 s.
    assert names(client, trace_filter='has(tags, "beta")') == {"alpha", "llm-1"}
    assert names(client, tree_filter="gt(latency, 2.8)") == {"alpha", "llm-1"}
    assert names(client, filter='eq(run_type, "llm")', tree_filter='eq(name, "gamma")') == {"llm-2"}


def test_body_keys(corpus: tuple[Tenant, Client]) -> None:
    _, client = corpus
    alpha = next(client.list_runs(project_name="corpus", filter='eq(name, "alpha")'))
    assert names(client, is_root=True) == {"alpha", "beta-run", "gamma"}
    assert names(client, run_type="tool") == {"search-tool"}
    assert names(client, error=True) == {"beta-run"}
    assert names(client, trace_id=alpha.trace_id) == {"alpha", "llm-1"}
    assert names(client, parent_run_id=alpha.id) == {"llm-1"}
    assert names(client, run_ids=[alpha.id]) == {"alpha"}
    assert alpha.inputs == {"question": "what colour is the sky"}
    assert alpha.feedback_stats["correctness"]["avg"] == 1.0
    assert alpha.parent_run_ids == []


def test_execution_order_one_lists_root_runs(corpus: tuple[Tenant, Client]) -> None:
    """Upstream's test_load_child_runs_populates_tree lists a project's roots as
    list_runs(execution_order=1); the SDK sends it as a body key, and it means is_root."""
    tenant, client = corpus
    assert names(client, execution_order=1) == {"alpha", "beta-run", "gamma"}
    # With the other filters, as with is_root: the roots among what they select.
    assert names(client, execution_order=1, filter='neq(name, "gamma")') == {"alpha", "beta-run"}
    alpha = next(client.list_runs(project_name="corpus", execution_order=1, filter='eq(name, "alpha")'))
    tree = client.read_run(alpha.id, load_child_runs=True)
    assert [c.name for c in tree.child_runs or []] == ["llm-1"]
    # /runs/stats shares the body (get_run_stats has no **kwargs to send it through).
    session = str(client.read_project(project_name="corpus").id)
    stats = tenant.client.post("/runs/stats", json={"session": [session], "execution_order": 1})
    assert stats.json()["run_count"] == 3
    # LangSmith accepts only 1; anything else is refused, not silently ignored.
    assert tenant.client.post("/runs/query", json={"execution_order": 2}).status_code == 400


def test_read_run_carries_feedback_stats(corpus: tuple[Tenant, Client]) -> None:
    """read_run returns the same feedback_stats as a list_runs page (LangSmith sends them on every
    run read); a run without feedback has an empty mapping, not a missing field."""
    _, client = corpus
    listed = {r.name: r for r in client.list_runs(project_name="corpus", is_root=True)}
    alpha, gamma, beta = (client.read_run(listed[n].id) for n in ("alpha", "gamma", "beta-run"))
    assert alpha.feedback_stats == listed["alpha"].feedback_stats
    assert alpha.feedback_stats is not None
    assert (alpha.feedback_stats["correctness"]["n"], alpha.feedback_stats["correctness"]["avg"]) == (1, 1.0)
    assert gamma.feedback_stats is not None and gamma.feedback_stats["correctness"]["avg"] == pytest.approx(0.2)
    assert beta.feedback_stats == {}


def test_token_details(corpus: tuple[Tenant, Client]) -> None:
    """A run's input/output token and cost breakdowns (the SDK's input_token_details, sent as
    prompt_token_details) come back from the usage_metadata it was ingested with."""
    _, client = corpus
    listed = {r.name: r for r in client.list_runs(project_name="details")}
    cached = client.read_run(listed["cached-llm"].id)
    assert (cached.input_token_details, cached.output_token_details) == (
        {"cache_read": 80, "audio": 0},
        {"reasoning": 12},
    )
    meta = client.read_run(listed["meta-llm"].id)
    assert (meta.input_token_details, meta.output_token_details) == ({"cache_creation": 3}, None)
    root = client.read_run(listed["details-root"].id)
    assert (root.input_token_details, root.output_token_details) == (None, None)
    fields = ["name", "prompt_token_details", "completion_token_details"]
    selected = {r.name: r for r in client.list_runs(project_name="details", select=fields)}
    assert selected["cached-llm"].input_token_details == {"cache_read": 80, "audio": 0}
    assert selected["cached-llm"].output_token_details == {"reasoning": 12}
    assert selected["meta-llm"].input_token_details == {"cache_creation": 3}
    assert selected["details-root"].input_token_details is None
    # The SDK's default list_runs selects only the totals and still reads the breakdowns.
    assert listed["cached-llm"].input_token_details == {"cache_read": 80, "audio": 0}
    assert listed["cached-llm"].output_token_details == {"reasoning": 12}
    assert listed["cached-llm"].input_cost_details == {"cache_read": Decimal("2e-7")}
    assert listed["cached-llm"].output_cost_details == {"reasoning": Decimal("3e-6")}
    assert listed["meta-llm"].input_token_details == {"cache_creation": 3}
    assert (cached.input_cost_details, meta.input_cost_details) == ({"cache_read": Decimal("2e-7")}, None)


def test_select_and_order(corpus: tuple[Tenant, Client]) -> None:
    tenant, _ = corpus
    response = tenant.client.post("/runs/query", json={"filter": 'eq(name, "alpha")', "select": ["name", "tags"]})
    run = response.json()["runs"][0]
    assert set(run) == {"id", "name", "run_type", "start_time", "trace_id", "dotted_order", "tags"}
    ascending = tenant.client.post(
        "/runs/query",
        json={"is_root": True, "order": "asc", "limit": 3, "filter": 'in(name, ["alpha", "beta-run", "gamma"])'},
    )
    assert [r["name"] for r in ascending.json()["runs"]] == ["alpha", "beta-run", "gamma"]


def test_root_runs_report_their_traces_usage(corpus: tuple[Tenant, Client]) -> None:
    """Tokens are recorded on the LLM runs; a root reports its whole trace's (as LangSmith does)."""
    tenant, _ = corpus
    body = {"filter": 'in(name, ["alpha", "llm-1", "beta-run", "gamma"])', "select": ["name", "total_tokens"]}
    runs = {r["name"]: r for r in tenant.client.post("/runs/query", json=body).json()["runs"]}
    assert {n: r["total_tokens"] for n, r in runs.items()} == {"alpha": 30, "llm-1": 30, "beta-run": 0, "gamma": 10}
    usage = ["prompt_tokens", "completion_tokens"]
    alpha = tenant.client.post("/runs/query", json={"filter": 'eq(name, "alpha")', "select": usage}).json()["runs"][0]
    assert (alpha["prompt_tokens"], alpha["completion_tokens"]) == (20, 10)
    unselected = tenant.client.post("/runs/query", json={"filter": 'eq(name, "alpha")', "select": ["name"]})
    assert "total_tokens" not in unselected.json()["runs"][0]


def test_pagination_past_several_pages(corpus: tuple[Tenant, Client]) -> None:
    tenant, client = corpus
    seen = [r.name for r in client.list_runs(project_name="many")]
    assert len(seen) == MANY and len(set(seen)) == MANY
    assert seen == sorted(seen, reverse=True)  # newest first
    pages, cursor = 0, None
    while True:
        body = {"session": [str(client.read_project(project_name="many").id)], "limit": 50, "cursor": cursor}
        page = tenant.client.post("/runs/query", json=body).json()
        pages += 1
        cursor = page["cursors"]["next"]
        if not cursor:
            break
    assert pages == MANY // 50 + 1


def test_pagination_within_one_second(corpus: tuple[Tenant, Client]) -> None:
    _, client = corpus
    seen = [r.name for r in client.list_runs(project_name="dense")]
    assert len(seen) == DENSE and len(set(seen)) == DENSE


@pytest.mark.parametrize("bad", ['and(eq(name, "x")', "eq(unknown_field, 1)", 'gt(latency, "later")'])
def test_malformed_filters_are_400_with_position(corpus: tuple[Tenant, Client], bad: str) -> None:
    tenant, client = corpus
    response = tenant.client.post("/runs/query", json={"filter": bad})
    assert response.status_code == 400
    assert "character" in response.json()["detail"]
    with pytest.raises(LangSmithError):
        list(client.list_runs(project_name="corpus", filter=bad))
    assert tenant.client.post("/runs/query", json={"cursor": "garbage"}).status_code == 400


def test_other_tenant_sees_no_runs(corpus: tuple[Tenant, Client], other_tenant: Tenant) -> None:
    _tenant, client = corpus
    alpha = next(client.list_runs(project_name="corpus", filter='eq(name, "alpha")'))
    assert other_tenant.client.post("/runs/query", json={}).json()["runs"] == []
    assert other_tenant.client.post("/runs/query", json={"id": [str(alpha.id)]}).json()["runs"] == []
    assert other_tenant.client.get(f"/runs/{alpha.id}").status_code == 404


def test_run_stats(chat_traces: tuple[Tenant, Client, list[dict]]) -> None:
    _, client, _ = chat_traces
    stats = client.get_run_stats(project_names=["chat"])
    assert stats["run_count"] == 4 and stats["total_tokens"] == 5 and stats["error_rate"] == 0
    roots = client.get_run_stats(project_names=["chat"], is_root=True)
    assert roots["run_count"] == 3
    assert roots["latency_p50"] == pytest.approx(1.0, abs=0.01)
    assert client.get_run_stats(project_names=["chat"], filter='eq(run_type, "llm")')["run_count"] == 1
