"""Runs with a field of the wrong type or an unknown run_type are refused at the door with 422,
naming the run and the field, on every ingest path; the valid runs of the same request are
queued and land (the SDK logs the 422 once and does not resend)."""

from __future__ import annotations

import logging
import uuid

import pytest
from langsmith import Client

from app.core.deadletters import list_letters
from app.core.redis import sync_redis
from app.core.settings import CliRedisSettings, load_settings
from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


def landed(stack: NativeStack, tenant: Tenant, name: str) -> None:
    ch = clickhouse(stack)
    wait_for(lambda: [r for r in run_rows(ch, tenant.workspace_id) if r[1] == name], what=f"run {name!r}")


def door_letter_reasons(stack: NativeStack, run_id: str) -> list[str]:
    connection = sync_redis(load_settings(CliRedisSettings, stack.env()).redis)
    return [x.reason for x in list_letters(connection, 500) if x.item_id == run_id and x.stage == "api"]


def refused(response_json: dict, run_id: str, field: str) -> None:
    assert response_json["error"] == "unprocessable"
    assert run_id in response_json["detail"] and field in response_json["detail"], response_json["detail"]
    assert [(r["id"], r["reason"].split(" ")[0].rstrip(":")) for r in response_json["rejected"]] == [(run_id, field)]


def test_single_post_and_patch(stack: NativeStack, tenant: Tenant) -> None:
    run = root_run(name="single-bad", start_time="yesterday")
    response = tenant.client.post("/runs", json=run)
    assert response.status_code == 422, response.text
    refused(response.json(), run["id"], "start_time")
    assert any("start_time 'yesterday'" in r for r in door_letter_reasons(stack, run["id"]))

    good = root_run(name="single-good")
    assert tenant.client.post("/runs", json=good).status_code == 202
    response = tenant.client.patch(f"/runs/{good['id']}", json={"end_time": "soon"})
    assert response.status_code == 422, response.text
    refused(response.json(), good["id"], "end_time")
    response = tenant.client.patch(f"/runs/{good['id']}", json={"run_type": "agent"})
    assert response.status_code == 422 and "run_type" in response.json()["detail"]
    landed(stack, tenant, "single-good")


def test_batch_keeps_the_valid_runs(stack: NativeStack, tenant: Tenant) -> None:
    good, bad = root_run(name="batch-good"), root_run(name="batch-bad", run_type="agent")
    wrong_type = root_run(name="batch-wrong-type", inputs=["not", "an", "object"])
    response = tenant.client.post("/runs/batch", json={"post": [bad, good, wrong_type]})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["accepted"]["post"] == 1 and body["rejected_count"] == 2
    assert {r["id"]: r["reason"].split(":")[0] for r in body["rejected"]} == {
        bad["id"]: "run_type",
        wrong_type["id"]: "inputs",
    }
    landed(stack, tenant, "batch-good")


def test_multipart_keeps_the_valid_runs(stack: NativeStack, tenant: Tenant) -> None:
    good, bad = root_run(name="multipart-good"), root_run(name="multipart-bad")
    bad_trace = str(uuid.uuid4())
    parts = [
        json_part(f"post.{good['id']}", good),
        json_part(f"post.{bad['id']}", {**bad, "trace_id": "t-1"}),
        json_part(f"patch.{bad_trace}", {"id": bad_trace, "name": 42}),
    ]
    body, content_type = multipart(parts)
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["accepted"]["post"] == 1
    assert {r["id"]: r["reason"].split(":")[0] for r in report["rejected"]} == {
        bad["id"]: "trace_id",
        bad_trace: "name",
    }
    landed(stack, tenant, "multipart-good")


def test_the_sdk_logs_one_422_and_the_valid_run_lands(
    stack: NativeStack, api_url: str, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(api_url=api_url, api_key=tenant.key)
    good, bad = root_run(name="sdk-good"), root_run(name="sdk-bad", run_type="agent")
    with caplog.at_level(logging.WARNING, logger="langsmith.client"):
        client.multipart_ingest(create=[good, bad], update=[])
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and "422" in messages[0], messages  # logged once: not retried
    assert str(bad["id"]) in messages[0] and "run_type" in messages[0]
    landed(stack, tenant, "sdk-good")
