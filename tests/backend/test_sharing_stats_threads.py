"""Run stats, threads, public run shares and presigned feedback tokens through the official SDK."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from langsmith import Client
from langsmith.utils import LangSmithError

from tests.conftest import Tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


@pytest.fixture
def seeded(stack: NativeStack, tenant: Tenant) -> tuple[Tenant, Client, list[dict]]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    runs = []
    for i, thread in enumerate(["t-a", "t-a", "t-b"]):
        root = root_run(
            f"turn-{i}",
            "chat",
            extra={"metadata": {"thread_id": thread}},
            end_time=(start + dt.timedelta(seconds=i + 1)).isoformat(),
        )
        root["start_time"] = (start + dt.timedelta(seconds=i)).isoformat()
        root["dotted_order"] = (start + dt.timedelta(seconds=i)).strftime("%Y%m%dT%H%M%S%fZ") + root["id"]
        root["end_time"] = (start + dt.timedelta(seconds=i + 1)).isoformat()
        runs.append(root)
    runs.append(
        child_run(
            runs[0],
            "llm-step",
            run_type="llm",
            start_time=runs[0]["start_time"],
            outputs={"usage_metadata": {"input_tokens": 2, "output_tokens": 3, "total_tokens": 5}},
        )
    )
    runs[-1]["dotted_order"] = runs[0]["dotted_order"] + "." + runs[0]["dotted_order"][:22] + runs[-1]["id"]
    body, content_type = multipart([json_part(f"post.{r['id']}", r) for r in runs])
    assert (
        tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 202
    )
    ch = clickhouse(stack)
    wait_for(lambda: len(run_rows(ch, tenant.workspace_id)) == 4)
    return tenant, Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key), runs


def test_run_stats(seeded) -> None:  # type: ignore[no-untyped-def]
    _, client, _ = seeded
    stats = client.get_run_stats(project_names=["chat"])
    assert stats["run_count"] == 4 and stats["total_tokens"] == 5 and stats["error_rate"] == 0
    roots = client.get_run_stats(project_names=["chat"], is_root=True)
    assert roots["run_count"] == 3
    assert roots["latency_p50"] == pytest.approx(1.0, abs=0.01)
    assert client.get_run_stats(project_names=["chat"], filter='eq(run_type, "llm")')["run_count"] == 1


def test_threads(seeded) -> None:  # type: ignore[no-untyped-def]
    _, client, _ = seeded
    threads = {t["thread_id"]: t for t in client.list_threads(project_name="chat")}
    assert set(threads) == {"t-a", "t-b"}
    assert threads["t-a"]["count"] == 2
    turns = [r.name for r in client.read_thread(thread_id="t-a", project_name="chat")]
    assert turns == ["turn-0", "turn-1"]  # chronological


def test_share_a_run_publicly(stack: NativeStack, seeded, other_tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    _tenant, client, runs = seeded
    root_id = uuid.UUID(runs[0]["id"])
    url = client.share_run(root_id)
    token = url.rstrip("/").split("/")[-2]
    assert client.run_is_shared(root_id) and client.read_run_shared_link(root_id) == url
    assert client.share_run(root_id) == url  # sharing again keeps the link
    public = Client(api_url=f"{stack.url}/api/v1", api_key=None)
    assert public.read_shared_run(token).id == root_id
    assert {r.name for r in public.list_shared_runs(token)} == {"turn-0", "llm-step"}
    other_run = runs[1]["id"]  # same workspace, different trace: not visible through this share
    assert httpx.get(f"{stack.url}/api/v1/public/{token}/run/{other_run}").status_code == 404
    assert other_tenant.client.put(f"/runs/{root_id}/share", json={}).status_code == 404
    client.unshare_run(root_id)
    assert not client.run_is_shared(root_id)
    assert httpx.get(f"{stack.url}/api/v1/public/{token}/run").status_code == 404


def test_presigned_feedback_tokens(stack: NativeStack, seeded) -> None:  # type: ignore[no-untyped-def]
    tenant, client, runs = seeded
    run_id = uuid.UUID(runs[0]["id"])
    token = client.create_presigned_feedback_token(run_id, "thumbs", expiration=dt.timedelta(hours=1))
    assert token.url.startswith(stack.url)
    assert httpx.get(token.url, params={"score": 1, "comment": "great"}).status_code == 200  # a browser click
    client.create_feedback_from_token(token.id, score=0.25, comment="meh")
    batch = client.create_presigned_feedback_tokens(run_id, ["a", "b"])
    assert len(batch) == 2 and batch[0].id != batch[1].id
    listed = tenant.client.get("/feedback/tokens", params={"run_id": str(run_id)}).json()
    assert {t["id"] for t in listed} >= {str(token.id), str(batch[0].id)}
    scores = sorted((f.key, f.score) for f in client.list_feedback(run_ids=[run_id]))
    assert scores == [("thumbs", 0.25), ("thumbs", 1.0)]
    expired = client.create_presigned_feedback_token(
        run_id, "late", expiration=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    )
    wait_for(
        lambda: httpx.post(expired.url, json={"score": 1}).status_code == 404, timeout=10, what="the token to expire"
    )
    with pytest.raises(LangSmithError):
        client.create_presigned_feedback_token(run_id, "past", expiration=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
