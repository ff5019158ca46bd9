"""The v2 API (`/api/v2/...`) through the official SDK's generated client (`client.runs`,
`client.traces`, `client.threads`, `client.public.runs`, `client.runs.share`,
`client.datasets.experiment_runs`): the shapes it parses, cursors, tenancy, roles, bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from langsmith import Client, traceable
from langsmith._exceptions import BadRequestError, NotFoundError, PermissionDeniedError
from langsmith.schemas import Attachment

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
T = TypeVar("T")
SELECTS = ["NAME", "RUN_TYPE", "STATUS", "TRACE_ID", "PROJECT_ID", "IS_ROOT", "TOTAL_TOKENS", "INPUTS_PREVIEW"]


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """One event loop per test: the SDK's async client keeps its connections on the loop."""
    return asyncio.run(scenario())  # type: ignore[arg-type]  # an Awaitable, not only a coroutine


def sdk(stack: NativeStack, key: str) -> Client:
    return Client(api_url=f"{stack.url}/api/v1", api_key=key, auto_batch_tracing=False)


def by_name(runs: list[dict]) -> dict[str, dict]:
    return {r["name"]: r for r in runs}


def test_runs_query_and_retrieve(chat_traces: tuple[Tenant, Client, list[dict]]) -> None:
    _, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)
    ingested = by_name(runs)

    async def scenario() -> None:
        found = [r async for r in client.runs.query(project_ids=[project], selects=SELECTS)]
        assert sorted(r.name or "" for r in found) == ["llm-step", "turn-0", "turn-1", "turn-2"]
        llm = next(r for r in found if r.name == "llm-step")
        assert llm.run_type == "llm" and llm.status == "PENDING" and llm.is_root is False  # it has no end
        assert next(r for r in found if r.name == "turn-0").status == "SUCCESS"
        assert llm.trace_id == ingested["turn-0"]["id"] and llm.project_id == project
        assert llm.total_tokens == 5 and llm.inputs is None  # INPUTS was not selected

        # One run a page, following next_cursor: every run once.
        paged = [r.id async for r in client.runs.query(project_ids=[project], page_size=1)]
        assert sorted(paged) == sorted(r["id"] for r in runs)

        roots = [r async for r in client.runs.query(project_ids=[project], is_root=True, selects=["NAME"])]
        assert {r.name for r in roots} == {"turn-0", "turn-1", "turn-2"}
        # A root's own usage, unless the caller asks for its subtree's.
        assert next(r for r in found if r.name == "turn-0").total_tokens == 0
        subtree = client.runs.query(project_ids=[project], include_subtree_usage=True, selects=["NAME", "TOTAL_TOKENS"])
        assert {r.name: r.total_tokens async for r in subtree}["turn-0"] == 5
        filtered = client.runs.query(project_ids=[project], filter='eq(run_type, "llm")', selects=["NAME"])
        assert [r.name async for r in filtered] == ["llm-step"]

        one = await client.runs.retrieve(
            ingested["turn-1"]["id"], project_id=project, selects=["NAME", "THREAD_ID", "METADATA", "OUTPUTS"]
        )
        assert one.id == ingested["turn-1"]["id"] and one.name == "turn-1" and one.thread_id == "t-a"
        assert one.metadata is not None and one.metadata["thread_id"] == "t-a"
        # v2 answers times with their offset: its client compares them with the aware times it sent.
        timed = await client.runs.retrieve(ingested["turn-1"]["id"], project_id=project, selects=["START_TIME"])
        sent = dt.datetime.fromisoformat(ingested["turn-1"]["start_time"])
        assert timed.start_time is not None and timed.start_time.tzinfo is not None and timed.start_time == sent
        url = await client.runs.get_url(one.id or "", project_id=project, trace_id=one.id or "")
        assert url.url is not None and url.url.endswith(f"/projects/p/{project}/r/{one.id}?trace_id={one.id}")
        with pytest.raises(NotFoundError):
            await client.runs.retrieve(str(uuid.uuid4()), project_id=project)

    run(scenario)


def test_a_v2_run_carries_exactly_its_selects(stack: NativeStack, chat_traces: tuple[Tenant, Client, list]) -> None:
    tenant, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)
    answer = httpx.get(
        f"{stack.url}/api/v2/runs/{runs[0]['id']}",
        params=[("project_id", project), ("selects", "NAME"), ("selects", "PROMPT_TOKEN_DETAILS")],
        headers={"x-api-key": tenant.key},
    )
    assert answer.status_code == 200
    assert answer.json() == {"id": runs[0]["id"], "name": "turn-0", "prompt_token_details": None}


def test_traces_and_their_runs(chat_traces: tuple[Tenant, Client, list[dict]]) -> None:
    _, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)
    turn0 = runs[0]["id"]

    async def scenario() -> None:
        page = await client.traces.query(project_id=project, selects=["NAME"], page_size=10)
        traces = {t.root_run.name: t for t in page.items if t.root_run}
        assert set(traces) == {"turn-0", "turn-1", "turn-2"}
        aggregates = traces["turn-0"].trace_aggregates
        assert aggregates is not None and aggregates.total_tokens == 5  # the LLM child's usage
        assert len([t async for t in client.traces.query(project_id=project, page_size=1)]) == 3  # by cursor
        trace_runs = await client.traces.list_runs(turn0, project_id=project, selects=["NAME", "IS_ROOT"])
        assert {r.name: r.is_root for r in trace_runs.items or []} == {"turn-0": True, "llm-step": False}

    run(scenario)


def test_threads(chat_traces: tuple[Tenant, Client, list[dict]]) -> None:
    _, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)

    async def scenario() -> None:
        page = await client.threads.query(project_id=project)
        threads = {t.thread_id: t for t in page.items}
        assert {k: t.count for k, t in threads.items()} == {"t-a": 2, "t-b": 1}
        assert threads["t-a"].total_tokens == 5 and page.next_cursor is None
        assert sorted([t.thread_id async for t in client.threads.query(project_id=project, page_size=1)]) == [
            "t-a",
            "t-b",
        ]

        traces = await client.threads.list_traces("t-a", project_id=project, page_size=1)
        assert [(t.trace_id, t.turn_number) for t in traces.items] == [(runs[0]["id"], 1)]
        assert traces.items[0].total_tokens == 5 and traces.has_next_page()
        second = await traces.get_next_page()
        assert [(t.trace_id, t.turn_number) for t in second.items] == [(runs[1]["id"], 2)]
        assert not second.has_next_page()

        stats = await client.threads.stats("t-a", selects=["TURNS", "TOTAL_TOKENS"], session_id=project)
        assert stats.turns == 2 and stats.total_tokens == 5
        assert (await client.threads.stats("nobody", selects=["TURNS"], session_id=project)).turns == 0

        everything = await client.threads.aggregate_stats(
            project_id=project, select=["THREAD_COUNT", "TRACE_COUNT", "TOTAL_TOKENS", "ERROR_RATE", "STREAMING_RATE"]
        )
        assert (everything.thread_count, everything.trace_count, everything.total_tokens) == (2, 3, 5)
        assert everything.error_rate == 0 and everything.streaming_rate is None and everything.total_cost is None
        with pytest.raises(BadRequestError):
            await client.threads.aggregate_stats(project_id=project, select=["VIBES"])  # type: ignore[list-item]

    run(scenario)


def test_share_a_trace_and_read_it_publicly(stack: NativeStack, chat_traces: tuple[Tenant, Client, list]) -> None:
    _, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)
    root, child, other = runs[0]["id"], runs[3]["id"], runs[1]["id"]

    async def scenario() -> None:
        token = (await client.runs.share.create(child, session_id=project, trace_id=root)).share_token
        assert token is not None and uuid.UUID(token)
        # A child shares its trace root: sharing the root answers the same token, as does v1.
        assert (await client.runs.share.create(root, session_id=project, trace_id=root)).share_token == token
        assert str(client.read_run_shared_link(uuid.UUID(root))).rstrip("/").split("/")[-2] == token

        public = await client.public.runs.query(token, selects=["NAME", "START_TIME"])
        assert sorted(r.name or "" for r in public.items or []) == ["llm-step", "turn-0"]
        start = next(r.start_time for r in public.items or [] if r.id == child)
        assert start is not None
        one = await client.public.runs.retrieve(child, share_token=token, selects=["NAME"], start_time=start)
        assert one.name == "llm-step"
        with pytest.raises(NotFoundError):  # another trace of the workspace is not shared
            await client.public.runs.retrieve(other, share_token=token, selects=["NAME"], start_time=start)
        with pytest.raises(BadRequestError):  # a share answers no feedback or attachment links
            await client.public.runs.query(token, selects=["FEEDBACK_STATS"])  # type: ignore[list-item]

        await client.runs.share.delete(root, session_id=project)
        await client.runs.share.delete(root, session_id=project)  # idempotent
        with pytest.raises(NotFoundError):
            await client.public.runs.query(token, selects=["NAME"])

    run(scenario)
    # No key needed for a public read; a token that is no UUID names no share.
    assert httpx.post(f"{stack.url}/api/v2/public/not-a-token/runs/query", json={}).status_code == 404


def test_experiment_runs_page_by_cursor(stack: NativeStack, tenant: Tenant, other_tenant: Tenant) -> None:
    client = sdk(stack, tenant.key)
    dataset = client.create_dataset(dataset_name=f"v2-{uuid.uuid4().hex[:8]}")
    client.create_examples(inputs=[{"q": str(i)} for i in range(3)], outputs=[{"a": "x"}] * 3, dataset_id=dataset.id)
    results = client.evaluate(lambda _: {"a": "y"}, data=dataset.name)
    experiment = str(client.read_project(project_name=results.experiment_name).id)

    async def all_pages() -> list[Any]:
        items, cursor = [], None
        while True:
            extra = {"cursor": cursor} if cursor else {}
            page = await client.datasets.experiment_runs.query(
                str(dataset.id), experiment_ids=[experiment], page_size=2, selects=["OUTPUTS"], **extra
            )
            items += page.items
            cursor = page.next_cursor
            if not cursor:
                return items

    items = wait_for(lambda: (found := run(all_pages)) and all(i.runs for i in found) and found, timeout=60)
    assert len({i.id for i in items}) == 3
    for item in items:
        assert item.dataset_id == str(dataset.id) and item.runs is not None and len(item.runs) == 1
        assert item.runs[0].outputs == {"a": "y"}

    async def by_dataset() -> list[Any]:
        query = client.runs.query(reference_dataset_id=str(dataset.id), is_root=True, selects=["REFERENCE_EXAMPLE_ID"])
        return [r async for r in query]

    assert sorted(r.reference_example_id for r in run(by_dataset)) == sorted(i.id for i in items)
    stranger = sdk(stack, other_tenant.key)

    async def as_a_stranger() -> Any:
        return await stranger.datasets.experiment_runs.query(str(dataset.id), experiment_ids=[experiment])

    with pytest.raises(NotFoundError):
        run(as_a_stranger)


def test_another_workspace_sees_nothing(
    stack: NativeStack, chat_traces: tuple[Tenant, Client, list[dict]], other_tenant: Tenant
) -> None:
    _, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)
    stranger = sdk(stack, other_tenant.key)

    async def scenario() -> None:
        assert [r async for r in stranger.runs.query(project_ids=[project])] == []
        assert (await stranger.traces.query(project_id=project)).items == []
        with pytest.raises(NotFoundError):
            await stranger.runs.retrieve(runs[0]["id"], project_id=project)
        with pytest.raises(NotFoundError):
            await stranger.threads.query(project_id=project)
        with pytest.raises(NotFoundError):
            await stranger.runs.share.create(runs[0]["id"], session_id=project, trace_id=runs[0]["id"])

    run(scenario)


def test_a_viewer_reads_but_does_not_share(stack: NativeStack, chat_traces: tuple[Tenant, Client, list]) -> None:
    tenant, client, runs = chat_traces
    project = str(client.read_project(project_name="chat").id)
    viewer = sdk(stack, asyncio.run(create_key(stack.env()["POSTGRES_DSN"], tenant.workspace, "v", role="viewer"))[0])

    async def scenario() -> None:
        assert len([r async for r in viewer.runs.query(project_ids=[project])]) == 4
        with pytest.raises(PermissionDeniedError):
            await viewer.runs.share.create(runs[0]["id"], session_id=project, trace_id=runs[0]["id"])

    run(scenario)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"selects": ["NAME"]}, "set exactly one of project_ids"),
        ({"project_ids": ["{p}"], "reference_dataset_id": "{p}"}, "set exactly one of project_ids"),
        ({"project_ids": []}, "project_ids must not be empty"),
        ({"project_ids": ["{p}"], "selects": ["NAME", "COLOUR"]}, "unknown select field(s): COLOUR"),
        ({"project_ids": ["{p}"], "page_size": 0}, "page_size must be between 1 and 1000"),
        ({"project_ids": ["{p}"], "cursor": "nope"}, "invalid cursor"),
        ({"project_ids": ["{p}"], "filter": "eq(name"}, "invalid filter"),
        ({"project_ids": ["{p}"], "ai_search": "slow runs"}, "ai_search is not supported"),
        ({"project_ids": ["not-a-uuid"]}, "project_ids"),
    ],
)
def test_bad_input_is_a_400_naming_it(
    stack: NativeStack, chat_traces: tuple[Tenant, Client, list], body: dict[str, Any], message: str
) -> None:
    tenant, client, _ = chat_traces
    project = str(client.read_project(project_name="chat").id)
    body = {
        k: [project if x == "{p}" else x for x in v] if isinstance(v, list) else project if v == "{p}" else v
        for k, v in body.items()
    }
    answer = httpx.post(f"{stack.url}/api/v2/runs/query", json=body, headers={"x-api-key": tenant.key})
    assert answer.status_code == 400 and message in answer.text, answer.text


def test_attachment_links_are_absolute_and_download(stack: NativeStack, tenant: Tenant) -> None:
    """The v2 client fetches `attachments` URLs as they are (v1 callers join the relative links onto
    their API URL), so v2 answers them absolute, on the origin the caller used."""
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)  # batched: attachments go multipart
    project = str(client.create_project("v2-files").id)

    @traceable(client=client, project_name="v2-files", enabled=True)
    def with_file(notes: Attachment) -> str:
        return "read"

    with_file(Attachment(mime_type="text/plain", data=b"hello v2"))
    client.flush()

    async def scenario() -> dict[str, str]:
        found = [r async for r in client.runs.query(project_ids=[project], selects=["NAME", "ATTACHMENTS"])]
        return found[0].attachments if found and found[0].attachments else {}

    links = wait_for(lambda: run(scenario), what="the run with its attachment")
    assert links["notes"].startswith(f"{stack.url}/api/v1/public/attachments/")
    assert httpx.get(links["notes"]).content == b"hello v2"
