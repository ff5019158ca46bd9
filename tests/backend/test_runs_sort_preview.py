"""/runs/query's Tracehouse extensions for the runs table: `sort_by` (latency, tokens, cost, name)
with keyset paging that neither skips nor repeats a run across pages, and the `inputs_preview` /
`outputs_preview` / `error_preview` select fields computed from the stored payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Tenant, make_tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
T0 = dt.datetime(2026, 11, 2, 9, 0, 0, tzinfo=dt.UTC)
TRACES = 9
# Tokens and cost of each trace's LLM run: ties (to cross page boundaries) and runs without a cost.
TOKENS = [30, 10, 30, 50, 10, 30, 0, 70, 30]
COSTS = [0.3, None, 0.1, 0.5, None, 0.3, None, 0.7, 0.2]
LATENCIES = [1.5, 0.2, 3.0, 0.2, 2.5, 0.9, 4.0, 0.2, 1.0]
LONG = "word " * 200

SHAPES: list[dict[str, Any]] = [
    {  # a chat model's input and answer: the last user message, the answer's content
        "name": "chat",
        "inputs": {
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "first question"},
                {"role": "assistant", "content": "first answer"},
                {"role": "user", "content": "what colour is the sky?"},
            ]
        },
        "outputs": {"choices": [{"message": {"role": "assistant", "content": "Blue, mostly."}}]},
        "expect": ("what colour is the sky?", "Blue, mostly."),
    },
    {  # a chain with a question beside its history
        "name": "question",
        "inputs": {"question": "and the grass?", "history": [{"role": "user", "content": "earlier"}]},
        "outputs": {"answer": "Green."},
        "expect": ("and the grass?", "Green."),
    },
    {  # a single string field
        "name": "single",
        "inputs": {"topic": "tides"},
        "outputs": {"output": "The moon pulls."},
        "expect": ("tides", "The moon pulls."),
    },
    {  # nothing text-like: compact key: value pairs
        "name": "pairs",
        "inputs": {"a": 1, "b": [1, 2]},
        "outputs": {"n": 3, "ok": True},
        "expect": ("a: 1 · b: [1,2]", "n: 3 · ok: true"),
    },
    {  # long text is cut to one cell's worth, on one line
        "name": "long",
        "inputs": {"question": LONG},
        "outputs": None,
        "expect": (" ".join(LONG.split())[:239] + "…", ""),
    },
]
ERROR = "ValueError('the tool broke')\n\nTraceback (most recent call last):\n  File \"x.py\", line 1"


def _at(run: dict[str, Any], start: dt.datetime, seconds: float) -> dict[str, Any]:
    run["start_time"] = start.isoformat()
    run["end_time"] = (start + dt.timedelta(seconds=seconds)).isoformat()
    segments = run["dotted_order"].split(".")
    segments[-1] = start.strftime("%Y%m%dT%H%M%S%fZ") + run["id"]
    run["dotted_order"] = ".".join(segments)
    return run


def _corpus() -> list[dict[str, Any]]:
    runs = []
    for i in range(TRACES):
        start = T0 + dt.timedelta(minutes=i)
        root = _at(root_run(f"t-{i}", "sorting"), start, LATENCIES[i])
        usage: dict[str, Any] = {"input_tokens": TOKENS[i], "output_tokens": 0, "total_tokens": TOKENS[i]}
        if COSTS[i] is not None:
            usage["total_cost"] = COSTS[i]
        llm = child_run(root, f"llm-{i}", run_type="llm", outputs={"usage_metadata": usage})
        runs += [root, _at(llm, start + dt.timedelta(milliseconds=10), LATENCIES[i] / 2)]
    for i, shape in enumerate(SHAPES):
        fields = {"inputs": shape["inputs"], "outputs": shape["outputs"]}
        runs.append(_at(root_run(shape["name"], "previews", **fields), T0 + dt.timedelta(minutes=i), 1.0))
    runs.append(_at(root_run("failing", "previews", error=ERROR), T0 + dt.timedelta(minutes=10), 1.0))
    return runs


@pytest.fixture(scope="module")
def corpus(stack: NativeStack) -> Iterator[tuple[Tenant, dict[str, str]]]:
    tenant = make_tenant(stack)
    runs = _corpus()
    body, content_type = multipart([json_part(f"post.{r['id']}", r) for r in runs])
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 202
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == len(runs), what="the corpus")
    projects = {p["name"]: p["id"] for p in tenant.client.get("/sessions").json()}
    yield tenant, projects
    tenant.client.close()


def _all_pages(tenant: Tenant, body: dict[str, Any]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        answer = tenant.client.post("/runs/query", json={**body, "cursor": cursor})
        assert answer.status_code == 200, answer.text
        seen += answer.json()["runs"]
        cursor = answer.json()["cursors"]["next"]
        if not cursor:
            return seen
    raise AssertionError("paging never ended")


def _cost(value: Any) -> float:
    return -1.0 if value is None else float(value)


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize(
    ("sort_by", "field", "key"),
    [
        ("latency", "latency", float),
        ("total_tokens", "total_tokens", int),
        ("total_cost", "total_cost", _cost),
        ("name", "name", str),
    ],
)
def test_sorted_pages_neither_skip_nor_repeat(
    corpus: tuple[Tenant, dict[str, str]], sort_by: str, field: str, key: Any, order: str
) -> None:
    """Pages of 2 over values with ties: every run exactly once, in order. Root runs sort by their
    trace's usage (what the table shows for them); runs of every kind by their own."""
    tenant, projects = corpus
    for is_root, count in ((True, TRACES), (None, 2 * TRACES)):
        body = {
            "session": [projects["sorting"]],
            "is_root": is_root,
            "sort_by": sort_by,
            "order": order,
            "limit": 2,
            "select": ["name", "latency", "total_tokens", "total_cost"],
        }
        runs = _all_pages(tenant, body)
        assert len(runs) == count and len({r["id"] for r in runs}) == count
        values = [key(r[field]) for r in runs]
        assert values == sorted(values, reverse=order == "desc"), values
    roots = _all_pages(tenant, {"session": [projects["sorting"]], "is_root": True, "sort_by": "total_tokens"})
    assert [r["total_tokens"] for r in roots] == sorted(TOKENS, reverse=True)  # the traces' totals
    everything = _all_pages(tenant, {"session": [projects["sorting"]], "sort_by": "total_tokens", "limit": 5})
    assert {r["name"]: r["total_tokens"] for r in everything}["t-7"] == 0  # a root's own, as it is sorted


def test_start_time_order_is_unchanged(corpus: tuple[Tenant, dict[str, str]]) -> None:
    tenant, projects = corpus
    runs = _all_pages(tenant, {"session": [projects["sorting"]], "is_root": True, "limit": 4, "select": ["name"]})
    assert [r["name"] for r in runs] == [f"t-{i}" for i in reversed(range(TRACES))]


def test_previews_of_several_shapes(corpus: tuple[Tenant, dict[str, str]]) -> None:
    tenant, projects = corpus
    select = ["name", "inputs_preview", "outputs_preview", "error_preview"]
    runs = {r["name"]: r for r in _all_pages(tenant, {"session": [projects["previews"]], "select": select})}
    for shape in SHAPES:
        run = runs[shape["name"]]
        assert (run["inputs_preview"], run["outputs_preview"]) == shape["expect"], shape["name"]
        assert run["error_preview"] is None
        assert "inputs" not in run and "outputs" not in run  # the payloads themselves stay home
    assert runs["failing"]["error_preview"] == "ValueError('the tool broke')"
    # Not selected, not computed.
    plain = tenant.client.post("/runs/query", json={"session": [projects["previews"]], "select": ["name"]})
    assert "inputs_preview" not in plain.json()["runs"][0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"sort_by": "tokens"}, "sort_by must be one of"),
        ({"sort_by": "latency", "cursor": "garbage"}, "invalid cursor"),
        ({"sort_by": 3}, ""),
    ],
)
def test_bad_sort_is_400(corpus: tuple[Tenant, dict[str, str]], body: dict[str, Any], message: str) -> None:
    tenant, _ = corpus
    response = tenant.client.post("/runs/query", json=body)
    assert response.status_code == 400, response.text
    assert message in response.text


def test_a_cursor_of_another_order_is_400(corpus: tuple[Tenant, dict[str, str]]) -> None:
    tenant, projects = corpus
    first = tenant.client.post(
        "/runs/query", json={"session": [projects["sorting"]], "sort_by": "latency", "limit": 1}
    ).json()
    cursor = first["cursors"]["next"]
    for other in ({"sort_by": "name"}, {"sort_by": "total_tokens", "is_root": True}, {}):
        response = tenant.client.post("/runs/query", json={"session": [projects["sorting"]], "cursor": cursor, **other})
        assert response.status_code == 400, (other, response.text)


def test_other_workspace_sees_none(corpus: tuple[Tenant, dict[str, str]], other_tenant: Tenant) -> None:
    tenant, projects = corpus
    for sort_by in ("latency", "total_tokens", "name"):
        body = {"is_root": True, "sort_by": sort_by, "select": ["name", "inputs_preview"]}
        assert len(tenant.client.post("/runs/query", json=body).json()["runs"]) > 0
        assert other_tenant.client.post("/runs/query", json=body).json()["runs"] == []
        scoped = {**body, "session": [projects["sorting"]]}
        assert other_tenant.client.post("/runs/query", json=scoped).json()["runs"] == []


# Makes rows look as if written before previews were stored (migration 0002's NULL).
FORGET_PREVIEWS = """
ALTER TABLE runs UPDATE inputs_preview = NULL, outputs_preview = NULL, error_preview = NULL
WHERE workspace_id = %(w)s AND name IN ('old', 'old-failing') SETTINGS mutations_sync = 2
"""


def test_rows_without_stored_previews_fall_back_to_their_payloads(stack: NativeStack, tenant: Tenant) -> None:
    """A row written before previews were stored (NULL ones) gets them from its payloads, beside
    rows whose previews are stored, in a sorted page as in a page by time."""
    shape = SHAPES[0]
    runs = [
        _at(root_run("old", "mixed", inputs=shape["inputs"], outputs=shape["outputs"]), T0, 2.0),
        _at(root_run("old-failing", "mixed", error=ERROR), T0 + dt.timedelta(minutes=1), 3.0),
        _at(root_run("new", "mixed", inputs={"question": "stored?"}, outputs={"answer": "Yes."}), T0, 1.0),
    ]
    body, content_type = multipart([json_part(f"post.{r['id']}", r) for r in runs])
    assert (
        tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 202
    )
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == len(runs), what="the runs")
    ch.command(FORGET_PREVIEWS, {"w": tenant.workspace_id})
    stored = run_rows(ch, tenant.workspace_id, "name, inputs_preview, outputs_preview, error_preview")
    assert {r[0]: r[1:] for r in stored}["old"] == (None, None, None)
    select = ["name", "inputs_preview", "outputs_preview", "error_preview"]
    for sort_by in ("start_time", "latency"):
        answer = tenant.client.post("/runs/query", json={"select": select, "sort_by": sort_by})
        assert answer.status_code == 200, answer.text
        got = {
            r["name"]: (r["inputs_preview"], r["outputs_preview"], r["error_preview"]) for r in answer.json()["runs"]
        }
        assert got == {
            "old": (*shape["expect"], None),
            "old-failing": ("old-failing", "", "ValueError('the tool broke')"),
            "new": ("stored?", "Yes.", None),
        }, sort_by
