"""Retention (issue 19) against the real stack: settings API, runs expired by ClickHouse TTLs,
payload-first expiry, and the long-tier upgrade of traces with feedback, in a dataset or a queue.

TTL merges are stopped while the runs are written and upgraded (a run written already past its
expiry could otherwise vanish in a background merge before the test looks), then started again
and forced with OPTIMIZE ... FINAL, which applies every due TTL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from langsmith import Client

from app.core.clickhouse import ClickHouse
from app.core.queue import queue
from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, json_part, multipart, wait_for
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

OLD = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
RECENT = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


def _trace(project: str, start: dt.datetime, name: str, *, tokens: int = 0) -> list[dict[str, Any]]:
    """A root and an LLM child started at `start`, with inputs, outputs and (optionally) tokens."""
    root_id, child_id = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = start.strftime("%Y%m%dT%H%M%S%fZ")
    end = (start + dt.timedelta(seconds=2)).isoformat()
    root = {
        "id": root_id, "trace_id": root_id, "dotted_order": stamp + root_id, "name": name, "run_type": "chain",
        "start_time": start.isoformat(), "end_time": end, "session_name": project,
        "inputs": {"question": f"secret {name}"}, "outputs": {"answer": f"reply {name}"},
    }  # fmt: skip
    child = {
        "id": child_id, "trace_id": root_id, "parent_run_id": root_id,
        "dotted_order": f"{stamp}{root_id}.{stamp}{child_id}",
        "name": f"{name}-llm", "run_type": "llm", "start_time": start.isoformat(), "end_time": end,
        "session_name": project, "inputs": {"prompt": f"secret {name}"},
        "outputs": {"usage_metadata": {"input_tokens": tokens, "output_tokens": tokens, "total_tokens": 2 * tokens}},
    }  # fmt: skip
    return [root, child]


def _ingest(tenant: Tenant, runs: list[dict[str, Any]], attach: tuple[str, ...] = ()) -> None:
    """Post `runs`; each run id in `attach` gets a small attachment named `note`."""
    parts = [json_part(f"post.{r['id']}", r) for r in runs]
    parts += [(f"attachment.{run_id}.note", "text/plain", b"secret bytes") for run_id in attach]
    body, content_type = multipart(parts)
    answer = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert answer.status_code == 202, answer.text


def _rows(ch: ClickHouse, workspace: str) -> dict[str, tuple[Any, ...]]:
    rows = ch.query(
        "SELECT toString(id), inputs, outputs, total_tokens, retention_days, payload_retention_days"
        " FROM runs FINAL WHERE workspace_id = %(w)s",
        {"w": workspace},
    )
    return {r[0]: r[1:] for r in rows}


def _attachments(ch: ClickHouse, workspace: str) -> set[str]:
    rows = ch.query("SELECT toString(run_id) FROM run_attachments FINAL WHERE workspace_id = %(w)s", {"w": workspace})
    return {r[0] for r in rows}


@pytest.fixture
def ttl_paused(stack: NativeStack) -> Iterator[ClickHouse]:
    ch = clickhouse(stack)
    ch.command("SYSTEM STOP TTL MERGES runs")
    ch.command("SYSTEM STOP TTL MERGES run_attachments")
    try:
        yield ch
    finally:
        ch.command("SYSTEM START TTL MERGES runs")
        ch.command("SYSTEM START TTL MERGES run_attachments")
        ch.close()


def _editor(stack: NativeStack, tenant: Tenant) -> httpx.Client:
    key, _ = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], tenant.workspace, "editor", role="editor"))
    return httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}, timeout=30)


def test_settings_defaults_validation_admin_only_and_tenancy(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant
) -> None:
    defaults = {"default_trace_tier": "longlived", "shortlived_ttl_days": 14, "longlived_ttl_days": 400,
                "payload_ttl_days": None}  # fmt: skip
    assert tenant.client.get("/retention").json() == defaults

    for bad in (
        {"shortlived_ttl_days": 0},
        {"longlived_ttl_days": 5000},
        {"default_trace_tier": "forever"},
        {"shortlived_ttl_days": 500},  # longer than the long tier
        {"shortlived_ttl_days": "ten"},
        {"unknown": 1},
    ):
        answer = tenant.client.patch("/retention", json=bad)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json().get("detail"), answer.text

    changed = tenant.client.patch("/retention", json={"shortlived_ttl_days": 7, "payload_ttl_days": 30})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**defaults, "shortlived_ttl_days": 7, "payload_ttl_days": 30}
    assert tenant.client.patch("/retention", json={"payload_ttl_days": None}).json()["payload_ttl_days"] is None

    project = tenant.client.post("/sessions", json={"name": "tiered"}).json()
    with _editor(stack, tenant) as editor:
        assert editor.get("/retention").json()["shortlived_ttl_days"] == 7
        assert editor.patch("/retention", json={"shortlived_ttl_days": 3}).status_code == 403
        refused = editor.patch(f"/sessions/{project['id']}", json={"trace_tier": "shortlived"})
        assert refused.status_code == 403, refused.text
        refused_create = editor.post("/sessions", json={"name": "mine", "trace_tier": "shortlived"})
        assert refused_create.status_code == 403, refused_create.text
        assert editor.post("/sessions", json={"name": "mine"}).status_code == 200
        # An editor still renames the project (the SDK's update_project sends no retention field).
        assert editor.patch(f"/sessions/{project['id']}", json={"name": "tiered-2"}).status_code == 200
    bad_tier = tenant.client.patch(f"/sessions/{project['id']}", json={"trace_tier": "medium"})
    assert bad_tier.status_code == 400
    updated = tenant.client.patch(
        f"/sessions/{project['id']}", json={"trace_tier": "shortlived", "payload_ttl_days": 3}
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["trace_tier"], updated.json()["payload_ttl_days"]) == ("shortlived", 3)
    assert tenant.client.get(f"/sessions/{project['id']}").json()["trace_tier"] == "shortlived"
    cleared = tenant.client.patch(f"/sessions/{project['id']}", json={"trace_tier": None}).json()
    assert (cleared["trace_tier"], cleared["payload_ttl_days"]) == (None, 3)

    # Another workspace sees its own defaults, and cannot touch this workspace's project.
    assert other_tenant.client.get("/retention").json() == defaults
    assert other_tenant.client.patch(f"/sessions/{project['id']}", json={"trace_tier": "longlived"}).status_code == 404


def test_runs_expire_by_project_tier_payload_first_and_long_tier_upgrades(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant, ttl_paused: ClickHouse
) -> None:
    ch = ttl_paused
    api = tenant.client
    workspace = tenant.workspace_id
    assert api.patch("/retention", json={"shortlived_ttl_days": 14, "longlived_ttl_days": 400}).status_code == 200
    # The tiers are set as the SDK's v2 client sends them (POST and PATCH /sessions).
    sdk = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    short = asyncio.run(sdk.sessions.create(name="short-lived", trace_tier="shortlived"))
    assert short.trace_tier == "shortlived"
    payload = api.post("/sessions", json={"name": "payload-first"}).json()
    # payload_ttl_days is Tracehouse's own field: sent beside the SDK's longlived_ttl_days.
    change = sdk.sessions.update(payload["id"], longlived_ttl_days=None, extra_body={"payload_ttl_days": 7})
    updated = asyncio.run(change)
    assert updated.name == "payload-first"
    assert api.get(f"/sessions/{payload['id']}").json()["payload_ttl_days"] == 7

    expiring = _trace("short-lived", OLD, "expiring")
    recent = _trace("short-lived", RECENT, "recent")
    judged = _trace("short-lived", OLD, "judged")
    curated = _trace("short-lived", OLD, "curated")
    reviewed = _trace("short-lived", OLD, "reviewed")
    kept = _trace("default-project", OLD, "kept")  # no choice: the long tier, 400 days
    light = _trace("payload-first", OLD, "light", tokens=21)
    everything = expiring + recent + judged + curated + reviewed + kept + light
    _ingest(tenant, everything, attach=(expiring[0]["id"], judged[0]["id"]))
    wait_for(lambda: len(_rows(ch, workspace)) == len(everything), what="runs stored")
    wait_for(lambda: len(_attachments(ch, workspace)) == 2, what="attachments stored")
    other_trace = _trace("short-lived", OLD, "neighbour")
    _ingest(other_tenant, other_trace)

    stamps = _rows(ch, workspace)
    assert stamps[expiring[0]["id"]][3:] == (14, 14)
    assert stamps[kept[0]["id"]][3:] == (400, 400)
    assert stamps[light[1]["id"]][3:] == (400, 7)

    sdk.create_feedback(judged[1]["id"], key="correct", score=1)  # on the child: the whole trace is kept
    dataset = sdk.create_dataset(f"kept-{uuid.uuid4().hex[:6]}")
    sdk.create_example(inputs={"q": 1}, outputs={"a": 2}, dataset_id=dataset.id, source_run_id=curated[0]["id"])
    queue = sdk.create_annotation_queue(name=f"review-{uuid.uuid4().hex[:6]}")
    sdk.add_runs_to_annotation_queue(queue.id, run_ids=[reviewed[0]["id"]])

    upgraded = [r["id"] for r in judged + curated + reviewed]
    wait_for(
        lambda: all(_rows(ch, workspace)[i][3:] == (400, 400) for i in upgraded),
        what="the long-tier upgrade of the traces with feedback, an example and a queue item",
    )
    # A run of an upgraded trace that arrives after the upgrade gets the long stamp as well.
    late = {**judged[1], "id": str(uuid.uuid4()), "name": "late"}
    late["dotted_order"] = (
        judged[1]["dotted_order"].rsplit(".", 1)[0] + "." + OLD.strftime("%Y%m%dT%H%M%S%fZ") + late["id"]
    )
    _ingest(tenant, [late])
    wait_for(lambda: late["id"] in _rows(ch, workspace), what="the late run stored")
    assert _rows(ch, workspace)[late["id"]][3:] == (400, 400)
    judged.append(late)
    before = tenant.client.get(f"/sessions/{payload['id']}", params={"include_stats": True}).json()
    assert before["total_tokens"] == 42

    ch.command("SYSTEM START TTL MERGES runs")
    ch.command("SYSTEM START TTL MERGES run_attachments")
    ch.command("OPTIMIZE TABLE runs FINAL")
    ch.command("OPTIMIZE TABLE run_attachments FINAL")

    after = _rows(ch, workspace)
    gone = {r["id"] for r in expiring}
    assert not gone & set(after), "runs past their project's short tier are deleted"
    for run in recent + judged + curated + reviewed + kept:
        assert run["id"] in after, run["name"]
        assert after[run["id"]][0] != "", f"{run['name']} keeps its inputs"
    for run in light:
        inputs, outputs, _tokens = after[run["id"]][:3]
        assert (inputs, outputs) == ("", ""), "payload-first: the payloads are gone"
    assert after[light[1]["id"]][2] == 42
    # The row stays, so stats keep their history: same tokens, still one trace.
    stats = tenant.client.get(f"/sessions/{payload['id']}", params={"include_stats": True}).json()
    assert (stats["total_tokens"], stats["run_count"]) == (42, 1)
    detail = tenant.client.get(f"/runs/{light[0]['id']}").json()
    assert detail["inputs"] == {} and "secret" not in str(detail)
    # Attachment bytes are payload: the expired trace's are gone, the upgraded trace's kept.
    assert _attachments(ch, workspace) == {judged[0]["id"]}
    # The other workspace's runs follow its own settings (the 400-day default): untouched.
    assert len(_rows(ch, other_tenant.workspace_id)) == 2


def test_months_whose_runs_all_expired_are_dropped_as_partitions(
    stack: NativeStack, stack_env: dict[str, str], tenant: Tenant, ttl_paused: ClickHouse
) -> None:
    """The hourly job drops a month partition once its last row expired, without a TTL merge
    (they are stopped here), and keeps a month that still holds a run with a longer stamp."""
    ch = ttl_paused
    api = tenant.client
    short = api.post("/sessions", json={"name": "short-months"}).json()
    decade = api.post("/sessions", json={"name": "decade"}).json()
    assert api.patch(f"/sessions/{short['id']}", json={"trace_tier": "shortlived"}).status_code == 200
    assert api.patch(f"/sessions/{decade['id']}", json={"longlived_ttl_days": 3650}).status_code == 200
    # Months no other test writes to: two years back.
    gone_month = dt.datetime(dt.datetime.now(dt.UTC).year - 2, 12, 3, tzinfo=dt.UTC)
    kept_month = dt.datetime(dt.datetime.now(dt.UTC).year - 2, 10, 3, tzinfo=dt.UTC)
    runs = _trace("short-months", gone_month, "old") + _trace("decade", kept_month, "archived")
    runs += _trace("short-months", kept_month, "old-neighbour")
    _ingest(tenant, runs)
    wait_for(lambda: len(_rows(ch, tenant.workspace_id)) == len(runs), what="runs stored")

    def partitions() -> set[str]:
        rows = ch.query("SELECT DISTINCT partition_id FROM system.parts WHERE table = 'runs' AND active")
        return {r[0] for r in rows}

    gone_id, kept_id = gone_month.strftime("%Y%m"), kept_month.strftime("%Y%m")
    assert {gone_id, kept_id} <= partitions()
    connection = redis.Redis.from_url(stack_env["REDIS_URL"])
    job = queue("default", connection).enqueue_call("worker.retention.drop_expired_partitions")
    wait_for(lambda: job.get_status(refresh=True) in ("finished", "failed"), what="the partition job")
    assert job.get_status() == "finished", job.latest_result()
    assert gone_id in job.return_value()
    assert gone_id not in partitions() and kept_id in partitions()
    left = set(_rows(ch, tenant.workspace_id))
    assert left == {r["id"] for r in runs if r["start_time"].startswith(kept_month.date().isoformat())}
