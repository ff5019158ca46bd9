"""Deleting a project, a set of traces and a workspace leaves nothing behind: each store is read
directly after the delete (ClickHouse with the deleted-rows mask off, so masked rows would show),
and records still in the ingest pipeline do not bring the deleted data back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import redis
from langsmith import Client

from app.core import redis_keys
from app.core.clickhouse import ClickHouse, Profile
from app.core.ingest import IngestBatch, enqueue_batch
from app.core.queue import queue as rq_queue
from app.core.settings import storage_settings
from tests.conftest import Tenant, make_tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, wait_for
from tooling.runner.stack import NativeStack
from worker.storage import run_check

pytestmark = pytest.mark.stack

# Masked (lightweight-deleted) rows count here too: they must be gone from the parts.
CH_COUNT = {
    "runs": "SELECT count() FROM runs WHERE workspace_id = %(w)s AND {} SETTINGS apply_deleted_mask = 0",
    "feedback": "SELECT count() FROM feedback WHERE workspace_id = %(w)s AND {} SETTINGS apply_deleted_mask = 0",
    "run_attachments": (
        "SELECT count() FROM run_attachments WHERE workspace_id = %(w)s AND {} SETTINGS apply_deleted_mask = 0"
    ),
}


@pytest.fixture
def ch(stack: NativeStack) -> Iterator[ClickHouse]:
    client = clickhouse(stack)
    yield client
    client.close()


@pytest.fixture
def pg(stack: NativeStack) -> Iterator[psycopg.Connection]:
    with psycopg.connect(stack.env()["POSTGRES_DSN"], autocommit=True) as conn:
        yield conn


@pytest.fixture
def rd(stack: NativeStack) -> redis.Redis:
    return redis.Redis.from_url(stack.env()["REDIS_URL"])


def post(tenant: Tenant, parts: list[tuple[str, str, bytes]]) -> None:
    body, content_type = multipart(parts)
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 202, response.text


@dataclass
class Seeded:
    project_id: str
    trace_ids: list[str]
    run_ids: list[str]


def seed(tenant: Tenant, client: Client, ch: ClickHouse, project: str, traces: int = 2) -> Seeded:
    """Runs (each trace a root and an LLM child with an attachment), feedback, and every Postgres
    row that names a run: a share, a feedback token, a queue item, an example's source run."""
    parts = []
    run_ids, trace_ids = [], []
    for i in range(traces):
        root = root_run(f"{project}-{i}", project, end_time=None)
        child = child_run(root, "llm", run_type="llm", session_name=project)
        parts += [json_part(f"post.{root['id']}", root), json_part(f"post.{child['id']}", child)]
        parts.append((f"attachment.{child['id']}.note", "text/plain", b"attached bytes"))
        parts.append(json_part(f"feedback.{uuid.uuid4()}", {"id": str(uuid.uuid4()), "run_id": root["id"], "key": "q"}))
        run_ids += [root["id"], child["id"]]
        trace_ids.append(root["id"])
    post(tenant, parts)
    w = tenant.workspace_id
    wait_for(lambda: count(ch, "runs", w, f"id IN ('{run_ids[0]}', '{run_ids[-1]}')") == 2, what="runs stored")
    wait_for(lambda: count(ch, "feedback", w, "1") >= traces, what="feedback stored")
    project_id = str(client.read_project(project_name=project).id)
    first = run_ids[0]
    client.share_run(first)
    client.create_presigned_feedback_token(first, "quality")
    queue = client.create_annotation_queue(name=f"q-{project}-{uuid.uuid4().hex[:6]}")
    client.add_runs_to_annotation_queue(queue.id, run_ids=[first])
    dataset = client.create_dataset(f"d-{project}-{uuid.uuid4().hex[:6]}")
    client.create_example(inputs={"q": 1}, dataset_id=dataset.id, source_run_id=first)
    return Seeded(project_id, trace_ids, run_ids)


def count(ch: ClickHouse, table: str, workspace: str, condition: str) -> int:
    # `condition` is written by these tests from ids they generated, never from input.
    return int(ch.query(CH_COUNT[table].format(condition), {"w": workspace}, profile=Profile.MIGRATE)[0][0])


def pg_rows_naming(pg: psycopg.Connection, workspace: str, run_ids: list[str]) -> dict[str, int]:
    ids = [uuid.UUID(r) for r in run_ids]
    checks = {
        "run_shares": "SELECT count(*) FROM run_shares WHERE workspace_id = %(w)s AND run_id = ANY(%(r)s)",
        "feedback_tokens": "SELECT count(*) FROM feedback_tokens WHERE workspace_id = %(w)s AND run_id = ANY(%(r)s)",
        "annotation_queue_items": "SELECT count(*) FROM annotation_queue_items WHERE run_id = ANY(%(r)s)",
        "examples": "SELECT count(*) FROM examples WHERE source_run_id = ANY(%(r)s)",
        "example_revisions": "SELECT count(*) FROM example_revisions WHERE source_run_id = ANY(%(r)s)",
    }
    found = {}
    for name, sql in checks.items():
        row = pg.execute(sql, {"w": workspace, "r": ids}).fetchone()
        assert row is not None
        found[name] = row[0]
    return found


def redis_leftovers(rd: redis.Redis, run_ids: list[str]) -> list[str]:
    marked = [r for r in run_ids if rd.sismember(redis_keys.PATCH_FIRST, r)]
    deferred = [m for m in rd.zrange(redis_keys.DEFERRED, 0, -1) if any(r.encode() in m for r in run_ids)]
    return marked + [str(d) for d in deferred]


def in_project(project_id: str) -> str:
    return f"project_id = '{uuid.UUID(project_id)}'"


def test_deleting_a_project_leaves_nothing_in_any_store(
    *, stack: NativeStack, tenant: Tenant, other_tenant: Tenant, ch: ClickHouse, pg: psycopg.Connection, rd: redis.Redis
) -> None:
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    other = Client(api_url=f"{stack.url}/api/v1", api_key=other_tenant.key)
    w, w2 = tenant.workspace_id, other_tenant.workspace_id
    doomed = seed(tenant, client, ch, "doomed")
    kept = seed(tenant, client, ch, "kept")
    theirs = seed(other_tenant, other, ch, "doomed")  # same name, another workspace
    # Something of the project in Redis: a patch whose post never arrives waits as a deferred record.
    stray = str(uuid.uuid4())
    post(
        tenant,
        [json_part(f"patch.{stray}", {"id": stray, "trace_id": doomed.trace_ids[0], "session_id": doomed.project_id})],
    )
    assert pg_rows_naming(pg, w, doomed.run_ids)["run_shares"] == 1

    client.delete_project(project_name="doomed")

    wait_for(lambda: count(ch, "runs", w, in_project(doomed.project_id)) == 0, what="the delete job")
    for table in ("feedback", "run_attachments"):
        ids = ", ".join(f"'{r}'" for r in doomed.run_ids)
        assert count(ch, table, w, f"run_id IN ({ids})") == 0, table
    assert pg_rows_naming(pg, w, doomed.run_ids) == {
        "run_shares": 0,
        "feedback_tokens": 0,
        "annotation_queue_items": 0,
        "examples": 0,
        "example_revisions": 0,
    }
    assert pg.execute("SELECT count(*) FROM projects WHERE id = %s", (uuid.UUID(doomed.project_id),)).fetchone() == (0,)
    assert redis_leftovers(rd, [*doomed.run_ids, stray]) == []
    # The rest of this workspace and the other workspace's project of the same name are untouched.
    assert count(ch, "runs", w, in_project(kept.project_id)) == 4
    assert pg_rows_naming(pg, w, kept.run_ids)["run_shares"] == 1
    assert count(ch, "runs", w2, in_project(theirs.project_id)) == 4
    assert count(ch, "feedback", w2, "1") == 2
    assert pg_rows_naming(pg, w2, theirs.run_ids)["annotation_queue_items"] == 1


def test_records_in_flight_do_not_resurrect_a_deleted_project(
    stack: NativeStack, tenant: Tenant, ch: ClickHouse
) -> None:
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    w = tenant.workspace_id
    # An unfinished run: the writer keeps its state in memory for the patch that will end it.
    open_run = root_run("open", "ephemeral")
    post(tenant, [json_part(f"post.{open_run['id']}", open_run)])
    wait_for(lambda: count(ch, "runs", w, f"id = '{open_run['id']}'") == 1, what="the open run")
    project_id = str(client.read_project(project_name="ephemeral").id)
    client.delete_project(project_id=project_id)
    wait_for(lambda: count(ch, "runs", w, in_project(project_id)) == 0, what="the delete job")

    # The run's end arrives after the delete (a bare patch: the writer would take the project from
    # its cached state), with a run posted again under the deleted project's name and id, and a
    # marker run in the same request that tells when the writer has handled them all.
    late = root_run("late", "ephemeral", session_id=project_id)
    marker = root_run("marker", "elsewhere")
    patch = {"id": open_run["id"], "trace_id": open_run["id"], "dotted_order": open_run["dotted_order"]}
    post(
        tenant,
        [
            json_part(f"patch.{open_run['id']}", {**patch, "end_time": open_run["start_time"], "outputs": {"a": 1}}),
            json_part(f"post.{late['id']}", late),
            json_part(f"post.{marker['id']}", marker),
        ],
    )
    wait_for(lambda: count(ch, "runs", w, f"id = '{marker['id']}'") == 1, what="the marker run")
    assert count(ch, "runs", w, in_project(project_id)) == 0
    assert count(ch, "runs", w, f"id = '{open_run['id']}'") == 0
    # The new run went to a new project of that name, as a first run of a new name would.
    reborn = client.read_project(project_name="ephemeral")
    assert str(reborn.id) != project_id
    assert count(ch, "runs", w, f"id = '{late['id']}' AND {in_project(str(reborn.id))}") == 1


def test_deleting_traces_removes_them_and_only_them(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant, ch: ClickHouse, pg: psycopg.Connection
) -> None:
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    w = tenant.workspace_id
    seeded = seed(tenant, client, ch, "traces", traces=3)
    gone, stays = seeded.trace_ids[0], seeded.trace_ids[1:]
    body: dict[str, Any] = {"session_id": seeded.project_id, "trace_ids": [gone]}
    # Another workspace cannot name this project; bad bodies are 400s, not 500s.
    assert other_tenant.client.post("/runs/delete", json=body).status_code == 404
    assert (
        tenant.client.post("/runs/delete", json={"session_id": seeded.project_id, "trace_ids": []}).status_code == 400
    )
    assert tenant.client.post("/runs/delete", json={"trace_ids": ["x"]}).status_code == 400
    assert tenant.client.post("/runs/delete", json=body).status_code == 202

    wait_for(lambda: count(ch, "runs", w, f"trace_id = '{gone}'") == 0, what="the delete job")
    gone_runs = seeded.run_ids[:2]
    ids = ", ".join(f"'{r}'" for r in gone_runs)
    assert count(ch, "feedback", w, f"run_id IN ({ids})") == 0
    assert count(ch, "run_attachments", w, f"run_id IN ({ids})") == 0
    assert pg_rows_naming(pg, w, gone_runs) == dict.fromkeys(
        ("run_shares", "feedback_tokens", "annotation_queue_items", "examples", "example_revisions"), 0
    )
    left = ", ".join(f"'{t}'" for t in stays)
    assert count(ch, "runs", w, f"trace_id IN ({left})") == 4
    assert count(ch, "feedback", w, "1") == 2


def test_deleting_a_workspace_leaves_nothing_in_any_store(
    stack: NativeStack, other_tenant: Tenant, ch: ClickHouse, pg: psycopg.Connection, rd: redis.Redis
) -> None:
    doomed = make_tenant(stack)
    client = Client(api_url=f"{stack.url}/api/v1", api_key=doomed.key)
    w = doomed.workspace_id
    seeded = seed(doomed, client, ch, "all-of-it")
    other = Client(api_url=f"{stack.url}/api/v1", api_key=other_tenant.key)
    theirs = seed(other_tenant, other, ch, "all-of-it")
    # Usage samples name the workspace and its projects too.
    run_check(ch, stack.env()["POSTGRES_DSN"], rd, storage_settings({}))
    wid = uuid.UUID(w)
    assert pg.execute("SELECT count(*) FROM storage_samples WHERE workspace_id = %s", (wid,)).fetchone() == (2,)
    # Only an admin acting in the workspace may delete it.
    assert other_tenant.client.delete(f"/workspaces/{w}").status_code == 404
    assert doomed.client.delete(f"/workspaces/{w}").status_code == 202
    assert doomed.client.get("/sessions").status_code == 401  # its keys stopped working at once

    wait_for(lambda: count(ch, "runs", w, "1") == 0, what="the delete job")
    assert count(ch, "feedback", w, "1") == 0
    assert count(ch, "run_attachments", w, "1") == 0
    tables = ("projects", "api_keys", "datasets", "examples", "annotation_queues", "run_shares", "feedback_tokens")
    for table in (*tables, "storage_samples"):
        assert pg.execute(f"SELECT count(*) FROM {table} WHERE workspace_id = %s", (wid,)).fetchone() == (0,), table
    assert pg_rows_naming(pg, w, seeded.run_ids)["annotation_queue_items"] == 0
    assert redis_leftovers(rd, seeded.run_ids) == []
    assert not any(w.encode() in letter for letter in rd.lrange(redis_keys.DEADLETTER, 0, -1))
    # The other workspace keeps everything.
    w2 = other_tenant.workspace_id
    assert count(ch, "runs", w2, in_project(theirs.project_id)) == 4
    assert pg_rows_naming(pg, w2, theirs.run_ids)["run_shares"] == 1
    doomed.client.close()


def test_a_batch_accepted_before_the_delete_and_handled_after_it_is_dropped(
    stack: NativeStack, tenant: Tenant, ch: ClickHouse, rd: redis.Redis
) -> None:
    """The ingest job of a request accepted before the delete may run after it (the queue was
    busy): its runs name the project by name only, and must not create it again."""
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    w = tenant.workspace_id
    first = root_run("first", "in-flight")
    post(tenant, [json_part(f"post.{first['id']}", first)])
    wait_for(lambda: count(ch, "runs", w, f"id = '{first['id']}'") == 1, what="the first run")
    accepted_at = time.time()
    client.delete_project(project_name="in-flight")
    late, fresh = root_run("late", "in-flight"), root_run("fresh", "elsewhere")
    # The platform's own hand-off (app/core/ingest.py), stamped with the time it was accepted.
    queue = rq_queue(redis_keys.INGEST_QUEUE, rd)
    enqueue_batch(queue, IngestBatch(workspace_id=w, received_at=accepted_at, posts=[late, fresh]))
    wait_for(lambda: count(ch, "runs", w, f"id = '{fresh['id']}'") == 1, what="the batch handled")
    assert count(ch, "runs", w, f"id = '{late['id']}'") == 0
    assert not client.has_project("in-flight")
    # A run sent after the delete creates the project anew, as any first run of a name does.
    again = root_run("again", "in-flight")
    post(tenant, [json_part(f"post.{again['id']}", again)])
    wait_for(lambda: count(ch, "runs", w, f"id = '{again['id']}'") == 1, what="the new project's run")
    assert client.has_project("in-flight")
