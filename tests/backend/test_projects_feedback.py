"""Projects (filters, update, delete, stats) and the feedback API through the official SDK."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import pytest
from langsmith import Client
from langsmith.utils import LangSmithConflictError, LangSmithNotFoundError

from tests.conftest import Tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


@pytest.fixture
def client(api_url: str, tenant: Tenant) -> Client:
    return Client(api_url=api_url, api_key=tenant.key)


def ingest(tenant: Tenant, runs: list[dict], feedback: Sequence[dict] = ()) -> None:
    parts = [json_part(f"post.{r['id']}", r) for r in runs] + [json_part(f"feedback.{f['id']}", f) for f in feedback]
    body, content_type = multipart(parts)
    assert (
        tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 202
    )


def test_project_filters_update_and_conflicts(client: Client) -> None:
    dataset_id = uuid.uuid4()
    experiment = client.create_project("exp-1", reference_dataset_id=dataset_id, metadata={"team": "evals"})
    plain = client.create_project("plain", metadata={"team": "core"})
    assert [p.name for p in client.list_projects(reference_dataset_id=dataset_id)] == ["exp-1"]
    assert {p.name for p in client.list_projects(reference_free=True)} == {"plain"}
    assert [p.name for p in client.list_projects(metadata={"team": "evals"})] == ["exp-1"]
    updated = client.update_project(experiment.id, description="now described", end_time=dt.datetime.now(dt.UTC))
    assert updated.name == "exp-1"  # null name = unchanged
    assert updated.description == "now described" and updated.end_time is not None
    with pytest.raises(LangSmithConflictError):
        client.update_project(plain.id, name="exp-1")
    assert client.update_project(plain.id, name="renamed").name == "renamed"


def test_project_stats_are_computed_in_clickhouse(stack: NativeStack, tenant: Tenant, client: Client) -> None:
    start = dt.datetime.now(dt.UTC)
    roots = []
    for i, (latency, error) in enumerate([(1.0, None), (2.0, None), (3.0, "boom"), (4.0, None)]):
        root = root_run(
            f"r{i}",
            "stats",
            end_time=(start + dt.timedelta(seconds=latency)).isoformat(),
            start_time=start.isoformat(),
            **({"error": error} if error else {}),
        )
        root["dotted_order"] = start.strftime("%Y%m%dT%H%M%S%fZ") + root["id"]
        roots.append(root)
    llm = child_run(
        roots[0],
        "llm",
        run_type="llm",
        outputs={"usage_metadata": {"input_tokens": 7, "output_tokens": 5, "total_tokens": 12}},
    )
    feedback = [
        {"id": str(uuid.uuid4()), "run_id": roots[0]["id"], "key": "quality", "score": 1.0},
        {"id": str(uuid.uuid4()), "run_id": roots[1]["id"], "key": "quality", "score": 0.0},
    ]
    ingest(tenant, [*roots, llm], feedback)
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == 5)
    wait_for(
        lambda: (
            ch.query("SELECT count() FROM feedback FINAL WHERE workspace_id = %(w)s", {"w": tenant.workspace_id})[0][0]
            == 2
        )
    )
    project = client.read_project(project_name="stats", include_stats=True)
    assert project.run_count == 4
    assert project.error_rate == 0.25
    assert project.total_tokens == 12 and project.prompt_tokens == 7
    assert 2.0 <= project.latency_p50.total_seconds() <= 3.0
    assert project.latency_p99.total_seconds() == pytest.approx(4.0, abs=0.05)
    assert project.feedback_stats["quality"]["n"] == 2 and project.feedback_stats["quality"]["avg"] == 0.5
    listed = next(p for p in client.list_projects(include_stats=True) if p.name == "stats")
    assert listed.run_count == 4


def test_delete_project_removes_its_runs(stack: NativeStack, tenant: Tenant, client: Client) -> None:
    ingest(tenant, [root_run("doomed", "to-delete"), root_run("kept", "to-keep")])
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == 2)
    client.delete_project(project_name="to-delete")
    assert not client.has_project("to-delete")
    wait_for(lambda: [r[1] for r in run_rows(ch, tenant.workspace_id)] == ["kept"], what="the async delete")


def test_feedback_crud_through_the_sdk(client: Client) -> None:
    run_id = uuid.uuid4()  # a run that was never ingested: never a 404 (the SDK retries 404s)
    created = client.create_feedback(
        run_id,
        key="helpfulness",
        score=0.4,
        value="meh",
        comment="first pass",
        correction={"answer": "better"},
        feedback_id=uuid.uuid4(),
    )
    read = client.read_feedback(created.id)
    assert (read.key, read.score, read.value, read.comment) == ("helpfulness", 0.4, "meh", "first pass")
    assert read.correction == {"answer": "better"} and read.run_id == run_id
    client.update_feedback(created.id, score=0.9, comment=None)
    updated = client.read_feedback(created.id)
    assert updated.score == 0.9 and updated.comment is None and updated.value == "meh"
    second = client.create_feedback(run_id, key="tone", score=1, feedback_source_type="model")
    assert {f.key for f in client.list_feedback(run_ids=[run_id])} == {"helpfulness", "tone"}
    assert [f.key for f in client.list_feedback(run_ids=[run_id], feedback_key=["tone"])] == ["tone"]
    assert [f.key for f in client.list_feedback(run_ids=[run_id], feedback_source_type=["model"])] == ["tone"]
    client.delete_feedback(second.id)
    with pytest.raises(LangSmithNotFoundError):
        client.read_feedback(second.id)
    # Idempotent by id: the SDK's retry of the same create leaves one row.
    again = client.create_feedback(run_id, key="helpfulness", score=0.9, feedback_id=created.id)
    assert again.id == created.id
    assert [f.id for f in client.list_feedback(run_ids=[run_id])] == [created.id]


def test_feedback_and_projects_are_tenant_scoped(client: Client, other_tenant: Tenant, api_url: str) -> None:
    other = Client(api_url=api_url, api_key=other_tenant.key)
    mine = client.create_feedback(uuid.uuid4(), key="private", score=1)
    project = client.create_project("secret-project")
    with pytest.raises(LangSmithNotFoundError):
        other.read_feedback(mine.id)
    assert list(other.list_feedback()) == []
    assert other_tenant.client.patch(f"/feedback/{mine.id}", json={"score": 0}).status_code == 404
    assert other_tenant.client.delete(f"/feedback/{mine.id}").status_code == 404
    assert other_tenant.client.patch(f"/sessions/{project.id}", json={"name": "stolen"}).status_code == 404
    assert other_tenant.client.delete(f"/sessions/{project.id}").status_code == 404
    assert client.read_feedback(mine.id).score == 1
    assert client.read_project(project_id=project.id).name == "secret-project"


def test_bad_feedback_bodies(tenant: Tenant) -> None:
    assert tenant.client.post("/feedback", json={"score": 1}).status_code == 400  # no key
    assert tenant.client.post("/feedback", json={"key": "k", "score": "high"}).status_code == 400
    created = tenant.client.post("/feedback", json={"key": "k"}).json()
    assert tenant.client.patch(f"/feedback/{created['id']}", json={"key": "other"}).status_code == 400
