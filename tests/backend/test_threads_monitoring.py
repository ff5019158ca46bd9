"""A project's time series (GET /sessions/{id}/timeseries) and threads (GET /sessions/{id}/threads,
/threads/{thread_id}) over a known corpus traced with the official SDK; and the SDK's list_threads and
read_thread over a small chat project, and as the SDK's own integration tests call them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from langsmith import Client
from langsmith.run_trees import RunTree

from tests.conftest import Tenant, make_tenant
from tests.support.ingest_helpers import clickhouse, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
T0 = dt.datetime(2026, 10, 5, 9, 0, 0, tzinfo=dt.UTC)
PROJECT = "monitored"
HOUR = dt.timedelta(hours=1)


def _turn(
    client: Client,
    name: str,
    start: dt.datetime,
    seconds: float,
    *,
    thread: str | None = None,
    error: str | None = None,
    tokens: tuple[int, int] | None = (10, 5),
    inputs: dict[str, Any] | None = None,
) -> RunTree:
    """A root run lasting `seconds`, with (when `tokens`) an LLM child whose first token comes
    0.5 s after it starts, its usage and a cost of 1e-4 $ per prompt and 2e-4 $ per completion token."""
    metadata = {"session_id": thread} if thread else {}
    root = RunTree(
        name=name,
        run_type="chain",
        inputs=inputs or {"question": f"q-{name}"},
        start_time=start,
        project_name=PROJECT,
        client=client,
        extra={"metadata": metadata},
    )
    if tokens:
        prompt, completion = tokens
        llm = root.create_child(name=f"llm-{name}", run_type="llm", start_time=start + dt.timedelta(seconds=0.1))
        llm.add_event({"name": "new_token", "time": (start + dt.timedelta(seconds=0.6)).isoformat()})
        llm.end(
            outputs={
                "messages": [{"role": "assistant", "content": f"a-{name}"}],
                "usage_metadata": {
                    "input_tokens": prompt,
                    "output_tokens": completion,
                    "total_tokens": prompt + completion,
                    "input_cost": prompt * 1e-4,
                    "output_cost": completion * 2e-4,
                },
            },
            end_time=start + dt.timedelta(seconds=0.9),
        )
    root.end(
        outputs=None if error else {"answer": f"a-{name}"}, error=error, end_time=start + dt.timedelta(seconds=seconds)
    )
    root.post(exclude_child_runs=False)
    return root


@pytest.fixture(scope="module")
def corpus(stack: NativeStack) -> Iterator[tuple[Tenant, str]]:
    """Hour 0: three traces (1 s, 2 s, 3 s; the last failed), hour 1 nothing, hour 2 two traces
    (4 s with an LLM call, 0.5 s without), hour 3 nothing. Threads: t-a = turn-0, turn-1 (hour 0)
    and turn-3 (hour 2); t-b = turn-2 (the failed one); turn-4 belongs to no thread."""
    tenant = make_tenant(stack)
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    chat = {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}]}
    _turn(client, "turn-0", T0 + dt.timedelta(minutes=5), 1.0, thread="t-a", inputs=chat)
    _turn(client, "turn-1", T0 + dt.timedelta(minutes=10), 2.0, thread="t-a")
    _turn(client, "turn-2", T0 + dt.timedelta(minutes=20), 3.0, thread="t-b", error="ValueError('boom')")
    _turn(client, "turn-3", T0 + 2 * HOUR + dt.timedelta(minutes=1), 4.0, thread="t-a", tokens=(20, 10))
    _turn(client, "turn-4", T0 + 2 * HOUR + dt.timedelta(minutes=2), 0.5, tokens=None)
    client.flush()
    wait_for(lambda: len(run_rows(clickhouse(stack), tenant.workspace_id)) == 9, what="the corpus")
    project = tenant.client.get("/sessions", params={"name": PROJECT}).json()[0]["id"]
    yield tenant, project
    tenant.client.close()


def series(tenant: Tenant, project: str, **params: Any) -> dict[str, Any]:
    response = tenant.client.get(f"/sessions/{project}/timeseries", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def window(hours: int = 4, **params: Any) -> dict[str, Any]:
    return {"start_time": T0.isoformat(), "end_time": (T0 + hours * HOUR).isoformat(), **params}


def test_traces_per_bucket(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    body = series(tenant, project, **window(interval="1h"))
    assert body["interval"] == "1h" and body["interval_seconds"] == 3600
    assert body["is_root"] is True and body["run_type"] is None
    starts = [dt.datetime.fromisoformat(b["start_time"]) for b in body["buckets"]]
    assert starts == [T0 + n * HOUR for n in range(4)]
    b0, b1, b2, b3 = body["buckets"]
    assert (b0["run_count"], b0["error_count"], b0["llm_calls"]) == (3, 1, 3)
    assert b0["error_rate"] == pytest.approx(1 / 3)
    assert b0["latency_p50"] == pytest.approx(2.0, abs=1e-6)
    assert b0["latency_p99"] == pytest.approx(2.98, abs=1e-6)  # interpolated between 2 s and 3 s
    assert b0["first_token_p50"] is None  # roots stream no tokens themselves
    # Usage is on the LLM runs inside the traces; it counts all the same.
    assert (b0["prompt_tokens"], b0["completion_tokens"], b0["total_tokens"]) == (30, 15, 45)
    assert b0["total_cost"] == pytest.approx(3 * (10e-4 + 10e-4))
    assert (b2["run_count"], b2["error_count"], b2["error_rate"], b2["llm_calls"]) == (2, 0, 0.0, 1)
    assert b2["latency_p50"] == pytest.approx(2.25, abs=1e-6)
    assert b2["total_tokens"] == 30 and b2["total_cost"] == pytest.approx(20e-4 + 20e-4)
    for empty in (b1, b3):  # filled in: zeros for counts and sums, null for rates and percentiles
        assert empty["run_count"] == empty["error_count"] == empty["total_tokens"] == empty["llm_calls"] == 0
        assert empty["error_rate"] is empty["latency_p50"] is empty["latency_p99"] is empty["total_cost"] is None
    totals = body["totals"]
    assert (totals["run_count"], totals["error_count"], totals["total_tokens"], totals["llm_calls"]) == (5, 1, 75, 4)
    assert totals["error_rate"] == pytest.approx(0.2)
    assert totals["latency_p50"] == pytest.approx(2.0, abs=1e-6)
    assert totals["latency_p99"] == pytest.approx(3.96, abs=1e-6)


def test_llm_calls_and_child_runs(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    llm = series(tenant, project, **window(interval="1h", run_type="llm"))
    assert llm["is_root"] is None and llm["run_type"] == "llm"
    assert [b["run_count"] for b in llm["buckets"]] == [3, 0, 1, 0]
    assert llm["buckets"][0]["latency_p50"] == pytest.approx(0.8, abs=1e-6)
    assert llm["buckets"][0]["first_token_p50"] == pytest.approx(0.5, abs=1e-6)
    assert llm["totals"]["total_tokens"] == 75
    children = series(tenant, project, **window(interval="1h", is_root="false"))
    assert [b["run_count"] for b in children["buckets"]] == [3, 0, 1, 0]


def test_interval_is_chosen_and_aligned(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    day = series(tenant, project, **window(hours=24))
    assert day["interval"] == "30m" and len(day["buckets"]) == 48
    assert sum(b["run_count"] for b in day["buckets"]) == 5
    week = series(tenant, project, **window(hours=24 * 7))
    assert week["interval"] == "3h" and len(week["buckets"]) == 56
    # A window starting inside a bucket starts at that bucket (buckets are aligned to the epoch).
    shifted = series(
        tenant,
        project,
        start_time=(T0 + dt.timedelta(minutes=7)).isoformat(),
        end_time=(T0 + 2 * HOUR).isoformat(),
        interval="1h",
    )
    assert dt.datetime.fromisoformat(shifted["start_time"]) == T0
    assert [b["run_count"] for b in shifted["buckets"]] == [2, 0]  # turn-0 starts before the window


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_time": "2026-10-05T10:00:00Z", "end_time": "2026-10-05T09:00:00Z"}, "after start_time"),
        ({"start_time": "2026-10-05T10:00:00Z", "end_time": "2026-10-05T10:00:00Z"}, "after start_time"),
        ({"start_time": "2020-01-01T00:00:00Z", "end_time": "2026-01-01T00:00:00Z"}, "too long"),
        ({"interval": "5x"}, "invalid interval"),
        ({"interval": "0m"}, "invalid interval"),
        ({"interval": "1s", "start_time": "2026-10-01T00:00:00Z", "end_time": "2026-10-02T00:00:00Z"}, "buckets"),
        ({"start_time": "yesterday"}, "start_time"),
    ],
)
def test_bad_parameters_are_400(corpus: tuple[Tenant, str], params: dict[str, str], message: str) -> None:
    tenant, project = corpus
    response = tenant.client.get(f"/sessions/{project}/timeseries", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "bad_request" and message in response.json()["detail"]


def test_threads_are_listed_latest_first(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    page = tenant.client.get(f"/sessions/{project}/threads").json()
    assert page["total"] == 2 and page["next_offset"] is None
    a, b = page["threads"]
    assert a["thread_id"] == "t-a" and b["thread_id"] == "t-b"
    assert (a["turn_count"], a["error_count"], a["prompt_tokens"], a["completion_tokens"], a["total_tokens"]) == (
        3,
        0,
        40,
        20,
        60,
    )
    assert a["total_cost"] == pytest.approx(2 * 20e-4 + 40e-4)
    assert a["latency_p50"] == pytest.approx(2.0, abs=1e-6)
    # Run times are answered as LangSmith does: UTC without an offset.
    assert dt.datetime.fromisoformat(a["first_start_time"]) == (T0 + dt.timedelta(minutes=5)).replace(tzinfo=None)
    assert dt.datetime.fromisoformat(a["last_start_time"]) == (T0 + 2 * HOUR + dt.timedelta(minutes=1)).replace(
        tzinfo=None
    )
    assert a["first_input_preview"] == "hello there"  # the user's message, not the system prompt
    assert a["last_output_preview"] == "a-turn-3"
    assert (b["turn_count"], b["error_count"], b["total_tokens"], b["last_output_preview"]) == (1, 1, 15, "")
    first = tenant.client.get(f"/sessions/{project}/threads", params={"limit": 1}).json()
    assert [t["thread_id"] for t in first["threads"]] == ["t-a"] and first["next_offset"] == 1
    second = tenant.client.get(f"/sessions/{project}/threads", params={"limit": 1, "offset": 1}).json()
    assert [t["thread_id"] for t in second["threads"]] == ["t-b"] and second["next_offset"] is None
    past = tenant.client.get(f"/sessions/{project}/threads", params={"offset": 10}).json()
    assert past["threads"] == [] and past["total"] == 2
    assert tenant.client.get(f"/sessions/{project}/threads", params={"limit": 0}).status_code == 400


def _thread_list(tenant: Tenant, project: str, **params: Any) -> list[tuple[str, int]]:
    response = tenant.client.get(f"/sessions/{project}/threads", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["threads"]), body
    return [(t["thread_id"], t["turn_count"]) for t in body["threads"]]


def test_threads_search_by_id_and_text(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    assert _thread_list(tenant, project, search="t-b") == [("t-b", 1)]  # the thread id
    assert _thread_list(tenant, project, search="HELLO THERE") == [("t-a", 3)]  # a turn's input, any case
    assert _thread_list(tenant, project, search="a-turn-3") == [("t-a", 3)]  # a turn's output
    assert _thread_list(tenant, project, search="q-turn-2") == [("t-b", 1)]
    assert _thread_list(tenant, project, search="no such words") == []
    assert _thread_list(tenant, project, search="t-") == [("t-a", 3), ("t-b", 1)]  # latest activity first
    assert _thread_list(tenant, project, search="   ") == [("t-a", 3), ("t-b", 1)]  # blank: no search
    # turn-4 says "q-turn-4" but belongs to no thread.
    assert _thread_list(tenant, project, search="q-turn-4") == []
    page = tenant.client.get(f"/sessions/{project}/threads", params={"search": "t-", "limit": 1, "offset": 1}).json()
    assert [t["thread_id"] for t in page["threads"]] == ["t-b"] and page["total"] == 2


def test_threads_time_window(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    # Threads with a turn in the window, counted over the turns in it.
    after_first_hour = {"start_time": (T0 + HOUR).isoformat()}
    assert _thread_list(tenant, project, **after_first_hour) == [("t-a", 1)]
    # Before 09:30 t-b (09:20) was the latest active, t-a had 2 turns.
    assert _thread_list(tenant, project, end_time=(T0 + dt.timedelta(minutes=30)).isoformat()) == [
        ("t-b", 1),
        ("t-a", 2),
    ]
    # Naive times are UTC.
    naive = (T0 + HOUR).replace(tzinfo=None).isoformat()
    assert _thread_list(tenant, project, start_time=naive) == [("t-a", 1)]
    assert _thread_list(tenant, project, start_time=(T0 + 3 * HOUR).isoformat()) == []
    # Both filters at once: the window first, then the text inside it.
    assert _thread_list(tenant, project, search="q-turn-2", **after_first_hour) == []
    assert _thread_list(tenant, project, search="a-turn-3", **after_first_hour) == [("t-a", 1)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_time": "yesterday"}, "start_time"),
        ({"end_time": "2026-13-01T00:00:00Z"}, "end_time"),
        ({"start_time": "2026-10-05T10:00:00Z", "end_time": "2026-10-05T09:00:00Z"}, "after end_time"),
        ({"search": "x" * 201}, "search"),
    ],
)
def test_threads_bad_filters_are_400(corpus: tuple[Tenant, str], params: dict[str, str], message: str) -> None:
    tenant, project = corpus
    response = tenant.client.get(f"/sessions/{project}/threads", params=params)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]


def test_a_threads_turns_in_order(corpus: tuple[Tenant, str]) -> None:
    tenant, project = corpus
    body = tenant.client.get(f"/sessions/{project}/threads/t-a").json()
    assert body["thread"]["thread_id"] == "t-a" and body["thread"]["turn_count"] == 3
    turns = body["turns"]
    assert [t["name"] for t in turns] == ["turn-0", "turn-1", "turn-3"]
    assert [t["total_tokens"] for t in turns] == [15, 15, 30]
    assert [t["latency"] for t in turns] == pytest.approx([1.0, 2.0, 4.0])
    assert turns[0]["inputs"]["messages"][1] == {"role": "user", "content": "hello there"}
    assert turns[2]["outputs"] == {"answer": "a-turn-3"} and turns[2]["status"] == "success"
    assert all(t["id"] == t["trace_id"] for t in turns)
    page = tenant.client.get(f"/sessions/{project}/threads/t-a", params={"limit": 2}).json()
    assert [t["name"] for t in page["turns"]] == ["turn-0", "turn-1"] and page["next_offset"] == 2
    rest = tenant.client.get(f"/sessions/{project}/threads/t-a", params={"limit": 2, "offset": 2}).json()
    assert [t["name"] for t in rest["turns"]] == ["turn-3"] and rest["next_offset"] is None
    failed = tenant.client.get(f"/sessions/{project}/threads/t-b").json()["turns"]
    assert failed[0]["status"] == "error" and failed[0]["error"] == "ValueError('boom')"
    missing = tenant.client.get(f"/sessions/{project}/threads/no-such-thread")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_another_workspace_sees_nothing(corpus: tuple[Tenant, str], other_tenant: Tenant) -> None:
    _, project = corpus
    for path in (f"/sessions/{project}/timeseries", f"/sessions/{project}/threads", f"/sessions/{project}/threads/t-a"):
        response = other_tenant.client.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"] == "not_found"


def test_a_project_without_runs(corpus: tuple[Tenant, str]) -> None:
    tenant, _ = corpus
    empty = tenant.client.post("/sessions", json={"name": "quiet"}).json()["id"]
    body = series(tenant, empty, **window(interval="1h"))
    assert [b["run_count"] for b in body["buckets"]] == [0, 0, 0, 0]
    assert body["totals"]["run_count"] == 0 and body["totals"]["latency_p50"] is None
    assert tenant.client.get(f"/sessions/{empty}/threads").json() == {
        "threads": [],
        "total": 0,
        "offset": 0,
        "limit": 20,
        "next_offset": None,
    }


def test_threads(chat_traces: tuple[Tenant, Client, list[dict]]) -> None:
    _, client, _ = chat_traces
    threads = {t["thread_id"]: t for t in client.list_threads(project_name="chat")}
    assert set(threads) == {"t-a", "t-b"}
    assert threads["t-a"]["count"] == 2
    turns = [r.name for r in client.read_thread(thread_id="t-a", project_name="chat")]
    assert turns == ["turn-0", "turn-1"]  # chronological


def test_a_null_thread_key_falls_through_to_the_next(stack: NativeStack, tenant: Tenant) -> None:
    """`session_id: None` is no thread id: LangSmith takes the next key that is set. Two turns with
    `conversation_id: "c1"` make thread c1; a turn whose keys are all null is in no thread (not in
    one called "null" with every other such run)."""
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    # Recent: list_threads reads the last day's root runs only.
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    turns = [
        ("turn-0", {"session_id": None, "conversation_id": "c1"}),
        ("turn-1", {"session_id": None, "conversation_id": "c1", "thread_id": None}),
        ("loose", {"session_id": None, "conversation_id": None}),
    ]
    for i, (name, metadata) in enumerate(turns):
        root = RunTree(
            name=name,
            run_type="chain",
            inputs={"question": name},
            start_time=start + dt.timedelta(seconds=i),
            project_name="nullable",
            client=client,
            extra={"metadata": metadata},
        )
        root.end(outputs={"answer": name}, end_time=start + dt.timedelta(seconds=i + 0.5))
        root.post()
    client.flush()
    wait_for(lambda: len(run_rows(clickhouse(stack), tenant.workspace_id)) == 3, what="the turns")

    threads = client.list_threads(project_name="nullable")
    assert [(t["thread_id"], t["count"]) for t in threads] == [("c1", 2)]
    assert [r.name for r in threads[0]["runs"]] == ["turn-0", "turn-1"]
    assert [r.name for r in client.read_thread(thread_id="c1", project_name="nullable")] == ["turn-0", "turn-1"]
    assert list(client.read_thread(thread_id="null", project_name="nullable")) == []
    project = client.read_project(project_name="nullable").id
    page = tenant.client.get(f"/sessions/{project}/threads").json()
    assert [(t["thread_id"], t["turn_count"]) for t in page["threads"]] == [("c1", 2)]


def _upstream_meta(thread_id: str) -> dict[str, Any]:
    # What the SDK's own integration tests send: thread_id set, the keys before it explicitly null.
    return {"metadata": {"thread_id": thread_id, "session_id": None, "conversation_id": None}}


def test_sdk_list_threads_as_upstream(stack: NativeStack, tenant: Tenant) -> None:
    """langsmith-sdk's integration test_list_threads: in-progress runs made with create_run."""
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    now = dt.datetime.now(dt.UTC)
    for i, (name, thread) in enumerate([("run_a1", "thread-a"), ("run_a2", "thread-a"), ("run_b1", "thread-b")]):
        client.create_run(
            name=name,
            inputs={"x": i},
            run_type="llm",
            project_name="upstream-list",
            start_time=now + dt.timedelta(seconds=i),
            extra=_upstream_meta(thread),
        )
    client.flush()
    wait_for(lambda: len(run_rows(clickhouse(stack), tenant.workspace_id)) == 3, what="the runs")
    threads = client.list_threads(project_name="upstream-list", limit=10)
    assert [(t["thread_id"], t["count"], len(t["runs"])) for t in threads] == [("thread-b", 1, 1), ("thread-a", 2, 2)]
    assert all(t["min_start_time"] and t["max_start_time"] for t in threads)
    client.delete_project(project_name="upstream-list")
    assert not client.has_project(project_name="upstream-list")


def test_sdk_read_thread_as_upstream(stack: NativeStack, tenant: Tenant) -> None:
    """langsmith-sdk's integration test_read_thread."""
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    now = dt.datetime.now(dt.UTC)
    for i in range(2):
        client.create_run(
            name=f"run_{i + 1}",
            inputs={"i": i + 1},
            run_type="llm",
            project_name="upstream-read",
            start_time=now + dt.timedelta(seconds=i),
            extra=_upstream_meta("thread-r"),
        )
    client.flush()
    wait_for(lambda: len(run_rows(clickhouse(stack), tenant.workspace_id)) == 2, what="the runs")
    runs = list(client.read_thread(thread_id="thread-r", project_name="upstream-read", limit=10))
    assert [r.name for r in runs] == ["run_1", "run_2"]
