"""Annotation queues through the official langsmith SDK (sync and async) and the review flow's
own endpoints: CRUD with a rubric, list filters, runs added by id and by key, index and status
reads, "next" and "done" with progress, another workspace seeing nothing, viewer keys refused
writes, and bad input answered 4xx."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from langsmith import AsyncClient, Client
from langsmith.utils import LangSmithError, LangSmithNotFoundError

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for

pytestmark = pytest.mark.stack

RUBRIC: list[Any] = [
    {
        "feedback_key": "correctness",
        "description": "Is the answer right?",
        "value_descriptions": {"yes": "fully right", "no": "wrong"},
        "is_required": True,
    },
    {"feedback_key": "tone", "score_descriptions": {"0": "rude", "1": "kind"}},
]


def sdk(api_url: str, key: str) -> Client:
    # auto_batch_tracing off: runs are posted synchronously, so they are ingested in order.
    return Client(api_url=api_url, api_key=key, auto_batch_tracing=False)


def unique(prefix: str = "q") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_runs(client: Client, count: int) -> list[uuid.UUID]:
    """Post `count` root runs to a fresh project and wait until each reads back."""
    project = unique("aq-project")
    ids = [uuid.uuid4() for _ in range(count)]
    for n, run_id in enumerate(ids):
        client.create_run(
            name=f"run-{n}",
            inputs={"question": f"q{n}"},
            outputs={"answer": f"a{n}"},
            run_type="llm",
            project_name=project,
            start_time=dt.datetime.now(dt.UTC),
            end_time=dt.datetime.now(dt.UTC),
            id=run_id,
        )

    def readable(run_id: uuid.UUID) -> bool:
        try:
            client.read_run(run_id)
        except LangSmithError:
            return False
        return True

    for run_id in ids:
        wait_for(lambda r=run_id: readable(r), what=f"run {run_id}")
    return ids


def viewer_key(tenant: Tenant) -> str:
    created = tenant.client.post("/api-key", json={"name": "reader", "role": "viewer"})
    assert created.status_code == 201, created.text
    key: str = created.json()["key"]
    return key


def test_queue_crud_with_rubric(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    queue_id = uuid.uuid4()
    name = unique()
    created = client.create_annotation_queue(
        name=name, description="first", queue_id=queue_id, rubric_instructions="Be strict.", rubric_items=RUBRIC
    )
    assert (created.id, created.name, created.description) == (queue_id, name, "first")
    assert str(created.tenant_id) == tenant.workspace_id

    read = client.read_annotation_queue(queue_id)
    assert read.rubric_instructions == "Be strict."
    assert read.rubric_items == RUBRIC

    # Creating again with the same id is a retry: the queue stays as it was.
    again = client.create_annotation_queue(name="other name", queue_id=queue_id)
    assert again.id == queue_id and again.name == name

    client.update_annotation_queue(queue_id, name=f"{name}-v2", rubric_items=[{"feedback_key": "helpfulness"}])
    updated = client.read_annotation_queue(queue_id)
    assert updated.name == f"{name}-v2"
    assert updated.description == "first"  # not sent, so unchanged
    assert updated.rubric_instructions == "Be strict."
    assert updated.rubric_items == [{"feedback_key": "helpfulness"}]

    client.delete_annotation_queue(queue_id)
    with pytest.raises(LangSmithNotFoundError):
        client.read_annotation_queue(queue_id)
    assert list(client.list_annotation_queues(queue_ids=[queue_id])) == []


def test_list_filters(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    stem = unique("stem")
    ids = [client.create_annotation_queue(name=f"{stem}-{n}").id for n in range(3)]
    client.create_annotation_queue(name=unique("unrelated"))

    assert sorted(q.id for q in client.list_annotation_queues(queue_ids=ids[:2])) == sorted(ids[:2])
    assert [q.id for q in client.list_annotation_queues(name=f"{stem}-1")] == [ids[1]]
    assert sorted(q.id for q in client.list_annotation_queues(name_contains=stem.upper())) == sorted(ids)
    assert len(list(client.list_annotation_queues(name_contains=stem, limit=2))) == 2
    # Pages: offset walks the same newest-first order.
    first = tenant.client.get("/annotation-queues", params={"name_contains": stem, "limit": 2}).json()
    rest = tenant.client.get("/annotation-queues", params={"name_contains": stem, "limit": 2, "offset": 2}).json()
    assert [q["id"] for q in first + rest] == [str(i) for i in reversed(ids)]


def test_runs_in_a_queue(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    run_ids = make_runs(client, 3)
    queue = client.create_annotation_queue(name=unique())
    client.add_runs_to_annotation_queue(queue.id, run_ids=run_ids[:2])
    fetched = client.read_run(run_ids[2])
    client.add_runs_to_annotation_queue(
        queue.id, runs=[{"run_id": fetched.id, "session_id": fetched.session_id, "start_time": fetched.start_time}]
    )
    # Adding a run again keeps its place.
    client.add_runs_to_annotation_queue(queue.id, run_ids=[run_ids[0]])

    listed = list(client.list_runs_from_annotation_queue(queue.id))
    assert [r.id for r in listed] == run_ids
    assert all(r.added_at is not None and r.last_reviewed_time is None for r in listed)
    assert listed[0].inputs == {"question": "q0"} and listed[0].outputs == {"answer": "a0"}
    assert [client.get_run_from_annotation_queue(queue.id, index=i).id for i in range(3)] == run_ids
    assert len(list(client.list_runs_from_annotation_queue(queue.id, limit=1))) == 1

    client.delete_run_from_annotation_queue(queue.id, run_id=run_ids[1])
    with pytest.raises(LangSmithNotFoundError):
        client.get_run_from_annotation_queue(queue.id, index=2)
    assert [r.id for r in client.list_runs_from_annotation_queue(queue.id)] == [run_ids[0], run_ids[2]]
    with pytest.raises(LangSmithNotFoundError):
        client.delete_run_from_annotation_queue(queue.id, run_id=run_ids[1])


def test_review_flow_next_done_and_progress(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    run_ids = make_runs(client, 3)
    queue = client.create_annotation_queue(name=unique(), rubric_items=RUBRIC)
    client.add_runs_to_annotation_queue(queue.id, run_ids=run_ids)
    base = f"/annotation-queues/{queue.id}"

    step = tenant.client.get(f"{base}/next").json()
    assert step["run"]["id"] == str(run_ids[0])
    assert step["progress"] == {"total": 3, "done": 0, "remaining": 3}

    # Done by run id, then (LangSmith's way) by the item's id with a review time.
    done = tenant.client.patch(f"{base}/runs/{run_ids[0]}", json={"status": "completed"}).json()
    assert done["status"] == "completed" and done["last_reviewed_time"] is not None
    assert done["progress"] == {"total": 3, "done": 1, "remaining": 2}
    step = tenant.client.get(f"{base}/next").json()
    assert step["run"]["id"] == str(run_ids[1])
    reviewed_at = "2026-01-02T03:04:05+00:00"
    tenant.client.patch(f"{base}/runs/{step['run']['queue_run_id']}", json={"last_reviewed_time": reviewed_at})

    completed = list(client.list_runs_from_annotation_queue(queue.id, status="completed"))
    assert [r.id for r in completed] == run_ids[:2]
    assert completed[1].last_reviewed_time == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert [r.id for r in client.list_runs_from_annotation_queue(queue.id, status="needs_my_review")] == run_ids[2:]
    assert list(client.list_runs_from_annotation_queue(queue.id, status="needs_others_review")) == []
    assert tenant.client.get(f"{base}/size", params={"status": "completed"}).json() == {"size": 2}
    assert tenant.client.get(f"{base}/total_size").json() == {"size": 3}
    listed = [q for q in client.list_annotation_queues(queue_ids=[queue.id])]
    assert len(listed) == 1
    progress = tenant.client.get(base).json()
    assert (progress["total_runs"], progress["completed_runs"], progress["remaining_runs"]) == (3, 2, 1)

    tenant.client.patch(f"{base}/runs/{run_ids[2]}", json={"status": "completed"})
    assert tenant.client.get(f"{base}/next").json() == {
        "run": None,
        "progress": {"total": 3, "done": 3, "remaining": 0},
    }
    # Undo puts the run back in front of the reviewer.
    undone = tenant.client.patch(f"{base}/runs/{run_ids[0]}", json={"status": "needs_review"}).json()
    assert undone["last_reviewed_time"] is None
    assert tenant.client.get(f"{base}/next").json()["run"]["id"] == str(run_ids[0])


def test_another_workspace_sees_nothing(api_url: str, tenant: Tenant, other_tenant: Tenant) -> None:
    mine, theirs = sdk(api_url, tenant.key), sdk(api_url, other_tenant.key)
    run_ids = make_runs(mine, 1)
    their_run = make_runs(theirs, 1)[0]
    queue = mine.create_annotation_queue(name=unique("private"), rubric_instructions="secret")
    mine.add_runs_to_annotation_queue(queue.id, run_ids=run_ids)

    assert list(theirs.list_annotation_queues(queue_ids=[queue.id])) == []
    assert queue.id not in [q.id for q in theirs.list_annotation_queues(name_contains="private")]
    with pytest.raises(LangSmithNotFoundError):
        theirs.read_annotation_queue(queue.id)
    with pytest.raises(LangSmithNotFoundError):
        theirs.update_annotation_queue(queue.id, name="hijacked")
    with pytest.raises(LangSmithNotFoundError):
        theirs.delete_annotation_queue(queue.id)
    with pytest.raises(LangSmithNotFoundError):
        theirs.get_run_from_annotation_queue(queue.id, index=0)
    with pytest.raises(LangSmithNotFoundError):
        theirs.add_runs_to_annotation_queue(queue.id, run_ids=[their_run])
    for path in ("/runs", "/next", "/size"):
        assert other_tenant.client.get(f"/annotation-queues/{queue.id}{path}").status_code == 404
    assert (
        other_tenant.client.patch(
            f"/annotation-queues/{queue.id}/runs/{run_ids[0]}", json={"status": "completed"}
        ).status_code
        == 404
    )

    # Their own queue cannot take my run: refused, nothing added, nothing of my run told.
    their_queue = theirs.create_annotation_queue(name=unique())
    with pytest.raises(LangSmithNotFoundError):
        theirs.add_runs_to_annotation_queue(their_queue.id, run_ids=[run_ids[0], their_run])
    assert list(theirs.list_runs_from_annotation_queue(their_queue.id)) == []
    # A queue id already used in my workspace cannot be created in theirs.
    taken = other_tenant.client.post("/annotation-queues", json={"name": "x", "id": str(queue.id)})
    assert taken.status_code == 409

    # Mine is intact.
    assert mine.read_annotation_queue(queue.id).rubric_instructions == "secret"
    assert [r.id for r in mine.list_runs_from_annotation_queue(queue.id)] == run_ids


def test_viewer_reads_but_cannot_write(api_url: str, tenant: Tenant) -> None:
    editor = sdk(api_url, tenant.key)
    run_ids = make_runs(editor, 1)
    queue = editor.create_annotation_queue(name=unique())
    editor.add_runs_to_annotation_queue(queue.id, run_ids=run_ids)
    viewer = sdk(api_url, viewer_key(tenant))

    assert viewer.read_annotation_queue(queue.id).id == queue.id
    assert [r.id for r in viewer.list_runs_from_annotation_queue(queue.id)] == run_ids
    with pytest.raises(LangSmithError):
        viewer.create_annotation_queue(name=unique())
    http = httpx.Client(base_url=api_url, headers={"x-api-key": viewer.api_key or ""}, timeout=30)
    base = f"/annotation-queues/{queue.id}"
    writes = [
        http.post("/annotation-queues", json={"name": "nope"}),
        http.patch(base, json={"name": "nope"}),
        http.delete(base),
        http.post(f"{base}/runs", json=[str(run_ids[0])]),
        http.patch(f"{base}/runs/{run_ids[0]}", json={"status": "completed"}),
        http.delete(f"{base}/runs/{run_ids[0]}"),
    ]
    assert [(r.status_code, r.json()["error"]) for r in writes] == [(403, "insufficient_role")] * len(writes)
    assert http.get(f"{base}/next").json()["progress"]["done"] == 0
    assert editor.read_annotation_queue(queue.id).name == queue.name


def test_bad_input_is_a_4xx_naming_the_problem(tenant: Tenant) -> None:
    api = tenant.client
    cases = [
        (api.post("/annotation-queues", json={"name": "  "}), "name"),
        (api.post("/annotation-queues", json={}), "name"),
        (
            api.post("/annotation-queues", json={"name": "x", "rubric_items": [{"description": "no key"}]}),
            "feedback_key",
        ),
        (
            api.post("/annotation-queues", json={"name": "x", "rubric_items": [{"feedback_key": "k"}] * 2}),
            "feedback_key",
        ),
        (api.get("/annotation-queues", params={"limit": 0}), "limit"),
        (api.get("/annotation-queues", params={"ids": "not-a-uuid"}), "ids"),
    ]
    for response, named in cases:
        assert response.status_code == 400, response.text
        assert named in response.text, response.text

    queue = api.post("/annotation-queues", json={"name": unique()}).json()
    base = f"/annotation-queues/{queue['id']}"
    assert api.post(f"{base}/runs", json=["not-a-uuid"]).status_code == 400
    assert api.post(f"{base}/runs", json={"run_ids": []}).status_code == 400
    assert api.post(f"{base}/runs/by-key", json=[{"run_id": str(uuid.uuid4())}]).status_code == 400
    assert api.patch(f"{base}/runs/{uuid.uuid4()}", json={}).status_code == 400
    assert api.get(f"{base}/runs", params={"status": "maybe"}).status_code == 400
    unknown = str(uuid.uuid4())
    refused = api.post(f"{base}/runs", json=[unknown])
    assert refused.status_code == 404 and unknown in refused.json()["detail"]
    assert api.get(f"{base}/run/0").status_code == 404
    assert api.get(f"/annotation-queues/{uuid.uuid4()}").status_code == 404


def test_async_client(api_url: str, tenant: Tenant) -> None:
    run_ids = make_runs(sdk(api_url, tenant.key), 2)

    async def scenario() -> None:
        async with AsyncClient(api_url=api_url, api_key=tenant.key) as client:
            queue = await client.create_annotation_queue(name=unique("async"), rubric_instructions="r")
            await client.update_annotation_queue(queue.id, rubric_items=RUBRIC[:1])
            assert (await client.read_annotation_queue(queue.id)).rubric_items == RUBRIC[:1]
            assert [q.id async for q in client.list_annotation_queues(queue_ids=[queue.id])] == [queue.id]
            await client.add_runs_to_annotation_queue(queue.id, run_ids=run_ids)
            assert (await client.get_run_from_annotation_queue(queue.id, index=1)).id == run_ids[1]
            await client.delete_run_from_annotation_queue(queue.id, run_id=run_ids[0])
            assert [r.id async for r in client.list_runs_from_annotation_queue(queue.id)] == run_ids[1:]
            await client.delete_annotation_queue(queue.id)
            assert [q async for q in client.list_annotation_queues(queue_ids=[queue.id])] == []

    asyncio.run(scenario())


# The resource's `runs` calls are deprecated for `items` (/platform/annotation-queues), not served here.
@pytest.mark.filterwarnings("ignore:Deprecated. use annotation_queues.items")
def test_sdk_runs_resource_update_move_and_bulk_delete(api_url: str, tenant: Tenant) -> None:
    """The SDK's `client.annotation_queues` resource (async, also on the sync Client): PATCH an
    item by its queue_run_id (review time, added_at to re-queue), the queues of a run, and
    POST .../runs/delete."""
    client = sdk(api_url, tenant.key)
    run_ids = make_runs(client, 3)
    queue = client.create_annotation_queue(name=unique())
    other = client.create_annotation_queue(name=unique())
    client.add_runs_to_annotation_queue(queue.id, run_ids=run_ids)
    client.add_runs_to_annotation_queue(other.id, run_ids=run_ids[:1])
    first = tenant.client.get(f"/annotation-queues/{queue.id}/run/0").json()["queue_run_id"]
    later = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)

    def order(queue_id: uuid.UUID) -> list[uuid.UUID]:
        return [r.id for r in client.list_runs_from_annotation_queue(queue_id)]

    async def scenario() -> None:
        resource = client.annotation_queues
        await resource.runs.update(first, queue_id=str(queue.id), added_at=later)  # to the back
        assert order(queue.id) == [*run_ids[1:], run_ids[0]]
        await resource.runs.update(first, queue_id=str(queue.id), last_reviewed_time=later)
        assert client.get_run_from_annotation_queue(queue.id, index=2).last_reviewed_time == later

        holding = await resource.retrieve_queues(str(run_ids[0]))
        assert sorted(str(q.id) for q in holding) == sorted([str(queue.id), str(other.id)])
        assert [str(q.id) for q in await resource.retrieve_queues(str(run_ids[1]))] == [str(queue.id)]
        foreign = tenant.client.get(f"/annotation-queues/{uuid.uuid4()}/queues")
        assert foreign.status_code == 404

        await resource.runs.delete_all(str(queue.id), delete_all=True, exclude_run_ids=[str(run_ids[2])])
        assert order(queue.id) == [run_ids[2]]
        await resource.runs.delete_all(str(queue.id), run_ids=[str(run_ids[2])])
        assert order(queue.id) == []
        assert order(other.id) == run_ids[:1]

    asyncio.run(scenario())


def test_next_skips_runs_whose_project_was_deleted(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    gone, kept = make_runs(client, 1)[0], make_runs(client, 1)[0]
    queue = client.create_annotation_queue(name=unique())
    client.add_runs_to_annotation_queue(queue.id, run_ids=[gone, kept])
    client.delete_project(project_id=client.read_run(gone).session_id)

    def deleted() -> bool:
        try:
            client.read_run(gone)
        except LangSmithNotFoundError:
            return True
        return False

    wait_for(deleted, what="the deleted project's run to go")
    step = tenant.client.get(f"/annotation-queues/{queue.id}/next").json()
    assert step["run"]["id"] == str(kept)
    assert [r.id for r in client.list_runs_from_annotation_queue(queue.id)] == [kept]
