"""Ingestion over raw HTTP through nginx: the wire details the SDK relies on, and bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import uuid

import httpx
import msgspec
import pytest
import zstandard

from tests.conftest import Tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


def post_multipart(tenant: Tenant, parts: list[tuple[str, str, bytes]], encoding: str | None = None) -> httpx.Response:
    body, content_type = multipart(parts)
    headers = {"content-type": content_type}
    if encoding == "zstd":
        # A streaming frame without a content size, like the SDK's (one compressobj, flushed).
        compressor = zstandard.ZstdCompressor().compressobj()
        body = compressor.compress(body) + compressor.flush()
        headers["content-encoding"] = "zstd"
    elif encoding == "gzip":
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    return tenant.client.post("/runs/multipart", content=body, headers=headers)


def split_parts(run: dict, kind: str = "post") -> list[tuple[str, str, bytes]]:
    """The SDK's layout: the main part without out-of-band fields, then one part per field."""
    main = {k: v for k, v in run.items() if k not in {"inputs", "outputs", "extra", "events", "error"}}
    parts = [json_part(f"{kind}.{run['id']}", main)]
    for field in ("inputs", "outputs", "extra", "events", "error"):
        if field in run:
            parts.append(json_part(f"{kind}.{run['id']}.{field}", run[field]))
    return parts


@pytest.mark.parametrize("encoding", [None, "zstd", "gzip"])
def test_multipart_tree_lands_in_clickhouse(stack: NativeStack, tenant: Tenant, encoding: str | None) -> None:
    root = root_run(extra={"metadata": {"thread_id": "t-1", "usage_metadata": {"input_tokens": 3, "output_tokens": 4}}})
    child = child_run(root, outputs={"y": 2}, end_time=dt.datetime.now(dt.UTC).isoformat())
    response = post_multipart(tenant, split_parts(root) + split_parts(child), encoding)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"]["post"] == 2
    ch = clickhouse(stack)
    rows = wait_for(
        lambda: (
            len(run_rows(ch, tenant.workspace_id)) == 2
            and run_rows(
                ch, tenant.workspace_id, "name, status, parent_run_id, trace_id, thread_id, total_tokens, outputs"
            )
        )
    )
    assert rows[0][:2] == ("root", "pending")
    assert rows[0][4] == "t-1" and rows[0][5] == 7
    assert rows[1][:2] == ("child", "success")
    assert str(rows[1][2]) == root["id"] and str(rows[1][3]) == root["id"]
    assert msgspec.json.decode(rows[1][6]) == {"y": 2}


def test_post_then_patch_merges_and_keeps_inputs(stack: NativeStack, tenant: Tenant) -> None:
    run = root_run(inputs={"question": "why"})
    assert post_multipart(tenant, split_parts(run)).status_code == 202
    ch = clickhouse(stack)
    wait_for(lambda: run_rows(ch, tenant.workspace_id))
    patch = {
        "id": run["id"],
        "trace_id": run["id"],
        "dotted_order": run["dotted_order"],
        "name": None,
        "end_time": dt.datetime.now(dt.UTC).isoformat(),
        "outputs": {"answer": 42},
        "tags": ["done"],
    }
    assert post_multipart(tenant, split_parts(patch, "patch")).status_code == 202
    rows = wait_for(
        lambda: [
            r for r in run_rows(ch, tenant.workspace_id, "name, status, inputs, outputs, tags") if r[1] == "success"
        ]
    )
    name, _, inputs, outputs, tags = rows[0]
    assert name == "root"  # the patch's explicit null did not wipe it
    assert msgspec.json.decode(inputs) == {"question": "why"}
    assert msgspec.json.decode(outputs) == {"answer": 42}
    assert tags == ["done"]


def test_patch_before_post_and_duplicates_leave_one_run(stack: NativeStack, tenant: Tenant) -> None:
    run = root_run(name="late-post")
    patch = {
        "id": run["id"],
        "trace_id": run["id"],
        "dotted_order": run["dotted_order"],
        "start_time": run["start_time"],
        "session_name": run["session_name"],
        "end_time": dt.datetime.now(dt.UTC).isoformat(),
        "outputs": {"o": 1},
    }
    assert post_multipart(tenant, split_parts(patch, "patch")).status_code == 202
    ch = clickhouse(stack)
    wait_for(lambda: run_rows(ch, tenant.workspace_id), what="the patch-only row")
    for _ in range(3):  # client retries of the same post
        assert post_multipart(tenant, split_parts(run)).status_code == 202
    rows = wait_for(
        lambda: [r for r in run_rows(ch, tenant.workspace_id, "name, status, inputs, outputs") if r[0] == "late-post"]
    )
    assert len(run_rows(ch, tenant.workspace_id)) == 1
    _name, status, inputs, outputs = rows[0]
    assert status == "success"
    assert msgspec.json.decode(inputs) == {"q": "late-post"}
    assert msgspec.json.decode(outputs) == {"o": 1}


def test_batch_endpoint_and_legacy_single_runs(stack: NativeStack, tenant: Tenant) -> None:
    root = root_run(name="batched")
    child = child_run(root, name="batched-child")
    response = tenant.client.post("/runs/batch", json={"post": [root, child], "patch": []})
    assert response.status_code == 202, response.text
    legacy_id = str(uuid.uuid4())
    legacy = {
        "id": legacy_id,
        "name": "legacy",
        "run_type": "llm",
        "inputs": {"p": 1},
        "start_time": dt.datetime.now(dt.UTC).isoformat(),
        "session_name": "ingest-test",
    }
    assert tenant.client.post("/runs", json=legacy).status_code == 202
    legacy_child = {
        "id": str(uuid.uuid4()),
        "name": "legacy-child",
        "run_type": "tool",
        "inputs": {},
        "parent_run_id": legacy_id,
        "start_time": dt.datetime.now(dt.UTC).isoformat(),
        "session_name": "ingest-test",
    }
    assert tenant.client.post("/runs", json=legacy_child).status_code == 202
    update = {
        "name": None,
        "trace_id": None,
        "dotted_order": None,
        "parent_run_id": None,
        "end_time": dt.datetime.now(dt.UTC).isoformat(),
        "outputs": {"done": True},
        "error": None,
    }
    assert tenant.client.patch(f"/runs/{legacy_id}", json=update).status_code == 202
    ch = clickhouse(stack)
    rows = wait_for(
        lambda: (
            (r := run_rows(ch, tenant.workspace_id, "name, status, trace_id, dotted_order"))
            and len(r) == 4
            and any(x[1] == "success" for x in r)
            and r
        ),
        what="four runs",
    )
    by_name = {r[0]: r for r in rows}
    assert by_name["legacy"][1] == "success"
    assert str(by_name["legacy"][2]) == legacy_id  # derived: a legacy root is its own trace
    assert by_name["legacy-child"][3].startswith(by_name["legacy"][3] + ".")  # derived from the parent
    assert str(by_name["legacy-child"][2]) == legacy_id


def test_bad_items_are_reported_and_set_aside_good_ones_ingested(stack: NativeStack, tenant: Tenant) -> None:
    good = root_run(name="good-one")
    parts = [
        *split_parts(good),
        ("post.not-a-uuid", "application/json", b'{"name": "x"}'),
        ("post." + str(uuid.uuid4()), "application/json", b"{broken json"),
        ("mystery.part", "application/json", b"{}"),
    ]
    response = post_multipart(tenant, parts)
    # Refused items make the answer 422 (the SDK logs it and does not resend); the good run is queued.
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["accepted"]["post"] == 1
    assert len(body["rejected"]) == 3
    assert any("invalid JSON" in r["reason"] for r in body["rejected"])
    ch = clickhouse(stack)
    wait_for(lambda: [r for r in run_rows(ch, tenant.workspace_id) if r[1] == "good-one"])
    # Integrity is checked by the worker: a dotted order that names another run is set aside.
    bad = root_run(name="inconsistent")
    bad["dotted_order"] = bad["dotted_order"][:-36] + str(uuid.uuid4())
    assert post_multipart(tenant, split_parts(bad)).status_code == 202
    from app.core.deadletters import list_letters
    from app.core.redis import sync_redis
    from app.core.settings import CliRedisSettings, load_settings

    connection = sync_redis(load_settings(CliRedisSettings, stack.env()).redis)
    letter = wait_for(
        lambda: [x for x in list_letters(connection, 200) if x.item_id == bad["id"]], what="the dead letter"
    )[0]
    assert letter.stage == "worker" and "dotted_order" in letter.reason


@pytest.mark.parametrize(
    ("body", "headers", "fragment"),
    [
        (b"no boundary here", {"content-type": "multipart/form-data; boundary=abc"}, "boundary"),
        (b"--abc\r\nno end of headers", {"content-type": "multipart/form-data; boundary=abc"}, "headers"),
        (b"x", {"content-type": "multipart/form-data"}, "boundary"),
        (
            b"\x28\xb5\x2f\xfd garbage",
            {"content-type": "multipart/form-data; boundary=abc", "content-encoding": "zstd"},
            "zstd",
        ),
        (b"not gzip", {"content-type": "multipart/form-data; boundary=abc", "content-encoding": "gzip"}, "gzip"),
        (b"x", {"content-type": "multipart/form-data; boundary=abc", "content-encoding": "br"}, "Content-Encoding"),
    ],
)
def test_malformed_bodies_are_clear_4xx(tenant: Tenant, body: bytes, headers: dict[str, str], fragment: str) -> None:
    response = tenant.client.post("/runs/multipart", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert fragment.lower() in response.json()["detail"].lower()


def test_malformed_json_endpoints(tenant: Tenant) -> None:
    assert (
        tenant.client.post("/runs/batch", content=b"[1,2", headers={"content-type": "application/json"}).status_code
        == 400
    )
    assert tenant.client.post("/runs/batch", json=[1, 2]).status_code == 400
    assert tenant.client.post("/runs", json={"id": "nope"}).status_code == 422  # a body, but a bad run
    assert tenant.client.patch("/runs/not-a-uuid", json={}).status_code == 400


def test_oversize_body_is_413(tenant: Tenant) -> None:
    body, content_type = multipart([("post." + str(uuid.uuid4()), "application/json", b'"' + b"x" * 27_000_000 + b'"')])
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_ingest_requires_a_key_and_stays_in_its_workspace(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant, anonymous: httpx.Client
) -> None:
    body, content_type = multipart(split_parts(root_run()))
    assert anonymous.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 401
    run = root_run(name="mine")
    assert post_multipart(tenant, split_parts(run)).status_code == 202
    ch = clickhouse(stack)
    wait_for(lambda: run_rows(ch, tenant.workspace_id))
    # The same run id sent by another workspace cannot overwrite or reveal it.
    stolen = dict(run, name="stolen")
    assert post_multipart(other_tenant, split_parts(stolen)).status_code == 202
    assert other_tenant.client.get(f"/runs/{run['id']}").status_code == 404
    assert tenant.client.get(f"/runs/{run['id']}").json()["name"] == "mine"


def test_dead_letter_cli_lists_and_replays(stack: NativeStack, tenant: Tenant) -> None:
    from tests.conftest import python_module

    bad = root_run(name="replay-me")
    bad["end_time"] = "2000-01-01T00:00:00+00:00"  # before its start: the worker sets it aside
    assert post_multipart(tenant, split_parts(bad)).status_code == 202
    cli = ("tooling.cli", "--data-dir", str(stack.data_dir), "dead-letter")
    listed = wait_for(
        lambda: (out := python_module(*cli, "list", "--limit", "500").stdout) and bad["id"] in out and out,
        what="the letter in the CLI listing",
    )
    line = next(x for x in listed.splitlines() if bad["id"] in x)
    letter_id = line.split()[0]
    assert "end_time is before start_time" in line
    replayed = python_module(*cli, "replay", letter_id)
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1" in replayed.stdout
    # It went through ingestion again (and, still inconsistent, was set aside again, under a new id).
    relisted = wait_for(
        lambda: [
            x
            for x in python_module(*cli, "list", "--limit", "500").stdout.splitlines()
            if bad["id"] in x and not x.startswith(letter_id)
        ],
        what="the replayed item",
    )
    assert relisted
    assert python_module(*cli, "replay").returncode == 2  # nothing named, no --all


def test_writer_columns_match_the_table(stack: NativeStack) -> None:
    from app.core.tables import FEEDBACK_COLUMNS, RUN_COLUMNS, UNWRITTEN_COLUMNS

    ch = clickhouse(stack)

    def columns(table: str) -> list[str]:
        query = "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = %(t)s"
        return sorted(name for (name,) in ch.query(query, {"t": table}))

    assert columns("runs") == sorted({*RUN_COLUMNS, *UNWRITTEN_COLUMNS})
    assert columns("feedback") == sorted({"workspace_id", *FEEDBACK_COLUMNS, "is_deleted"})
