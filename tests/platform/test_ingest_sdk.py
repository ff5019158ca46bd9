"""The official langsmith SDK tracing into Tracehouse, unchanged: the SDK is the judge."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from langsmith import Client, traceable, tracing_context
from langsmith.run_trees import RunTree
from langsmith.schemas import Attachment

from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

COLUMNS = "name, run_type, status, parent_run_id, tags, metadata, error, inputs, outputs, trace_id, id"


@pytest.fixture
def client(api_url: str, tenant: Tenant) -> Iterator[Client]:
    c = Client(api_url=api_url, api_key=tenant.key)
    yield c
    c.flush()


def landed(
    stack: NativeStack, tenant: Tenant, count: int, where: Callable[[tuple[Any, ...]], bool] = lambda r: True
) -> list[tuple[Any, ...]]:
    ch = clickhouse(stack)
    return wait_for(
        lambda: (
            (rows := [r for r in run_rows(ch, tenant.workspace_id, COLUMNS) if where(r)])
            and len(rows) >= count
            and rows
        ),
        what=f"{count} runs",
    )


def by_name(rows: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r for r in rows}


def test_traceable_nested_with_tags_metadata_and_errors(stack: NativeStack, tenant: Tenant, client: Client) -> None:
    @traceable(run_type="tool")
    def lookup(x: int) -> int:
        return x * 2

    @traceable(tags=["beta"], metadata={"user": "ada", "thread_id": "conv-1"})
    def agent(x: int) -> dict:
        return {"total": lookup(x) + lookup(x + 1)}

    @traceable
    def broken() -> None:
        raise ValueError("it broke")

    with tracing_context(client=client, project_name="sdk-nested", enabled=True):
        assert agent(3) == {"total": 14}
        with pytest.raises(ValueError):
            broken()
    client.flush()
    rows = landed(stack, tenant, 4, lambda r: r[2] != "pending")
    names = [r[0] for r in rows]
    assert names.count("lookup") == 2
    runs = by_name(rows)
    root = runs["agent"]
    assert root[3] is None and root[1] == "chain" and root[2] == "success"
    assert root[4] == ["beta"]
    assert root[5]["user"] == "ada"
    assert msgspec.json.decode(root[8]) == {"total": 14}
    children = [r for r in rows if r[0] == "lookup"]
    assert all(r[3] == root[10] and r[9] == root[10] and r[1] == "tool" for r in children)
    assert runs["broken"][2] == "error"
    assert "ValueError('it broke')" in runs["broken"][6]
    assert client.read_project(project_name="sdk-nested").name == "sdk-nested"  # created on first sight
    read = client.read_run(root[10])
    assert read.outputs == {"total": 14}
    assert read.tags == ["beta"]


def test_run_tree_post_then_patch(stack: NativeStack, tenant: Tenant, client: Client) -> None:
    tree = RunTree(name="pipeline", run_type="chain", inputs={"doc": "text"}, client=client, project_name="sdk-runtree")
    tree.post()
    step = tree.create_child(name="step", run_type="llm", inputs={"prompt": "hi"})
    step.post()
    client.flush()
    landed(stack, tenant, 2)  # both visible as pending before they end
    step.end(
        outputs={
            "completion": "hello",
            # Costs as LangSmith lets callers send them (dollars); total is derived when absent.
            "usage_metadata": {
                "input_tokens": 5,
                "output_tokens": 7,
                "total_tokens": 12,
                "input_cost": 0.000005,
                "output_cost": 0.00007,
            },
        }
    )
    step.patch()
    tree.end(outputs={"summary": "done"})
    tree.patch()
    client.flush()
    rows = landed(stack, tenant, 2, lambda r: r[2] == "success")
    runs = by_name(rows)
    assert msgspec.json.decode(runs["pipeline"][7]) == {"doc": "text"}  # post's inputs kept
    assert msgspec.json.decode(runs["pipeline"][8]) == {"summary": "done"}
    ch = clickhouse(stack)
    tokens = ch.query(
        "SELECT total_tokens, prompt_tokens, toFloat64(prompt_cost), toFloat64(completion_cost), toFloat64(total_cost)"
        " FROM runs FINAL WHERE workspace_id = %(w)s AND name = 'step'",
        {"w": tenant.workspace_id},
    )
    assert tokens == [(12, 5, 0.000005, 0.00007, 0.000075)]


def test_legacy_create_and_update_run(api_url: str, stack: NativeStack, tenant: Tenant) -> None:
    client = Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)
    root_id, child_id = uuid.uuid4(), uuid.uuid4()
    client.create_run("legacy-root", inputs={"a": 1}, run_type="chain", id=root_id, project_name="sdk-legacy")
    client.create_run(
        "legacy-child", inputs={"b": 2}, run_type="tool", id=child_id, parent_run_id=root_id, project_name="sdk-legacy"
    )
    client.update_run(child_id, outputs={"ok": True}, end_time=dt.datetime.now(dt.UTC))
    client.update_run(root_id, outputs={"done": 1}, end_time=dt.datetime.now(dt.UTC))
    rows = landed(stack, tenant, 2, lambda r: r[2] == "success")
    runs = by_name(rows)
    assert runs["legacy-root"][9] == root_id
    assert runs["legacy-child"][3] == root_id and runs["legacy-child"][9] == root_id
    assert msgspec.json.decode(runs["legacy-root"][7]) == {"a": 1}


def test_batch_endpoint_fallback(stack: NativeStack, tenant: Tenant, client: Client) -> None:
    run_id = uuid.uuid4()
    start = dt.datetime.now(dt.UTC)
    dotted = start.strftime("%Y%m%dT%H%M%S%fZ") + str(run_id)
    run = {
        "id": run_id,
        "trace_id": run_id,
        "dotted_order": dotted,
        "name": "via-batch",
        "run_type": "chain",
        "start_time": start,
        "inputs": {"x": 1},
        "session_name": "sdk-batch",
    }
    client.batch_ingest_runs(create=[run])
    client.batch_ingest_runs(update=[{**run, "end_time": dt.datetime.now(dt.UTC), "outputs": {"y": 2}}])
    rows = landed(stack, tenant, 1, lambda r: r[2] == "success")
    assert rows[0][0] == "via-batch"


def test_feedback_parts_and_attachments(api_url: str, stack: NativeStack, tenant: Tenant, client: Client) -> None:
    run_id = uuid.uuid4()

    @traceable
    def describe(image: Attachment) -> str:
        return "a picture"

    png = b"\x89PNG\r\n\x1a\n\x00\xffbinary\x00"
    with tracing_context(client=client, project_name="sdk-feedback", enabled=True):
        describe(Attachment(mime_type="image/png", data=png), langsmith_extra={"run_id": run_id})
    client.flush()
    landed(stack, tenant, 1)
    client.create_feedback(run_id, key="correctness", score=0.75, comment="close", trace_id=run_id)
    client.flush()
    ch = clickhouse(stack)
    feedback = wait_for(
        lambda: ch.query(
            "SELECT key, score, comment, run_id FROM feedback FINAL WHERE workspace_id = %(w)s",
            {"w": tenant.workspace_id},
        ),
        what="the feedback row",
    )
    assert feedback == [("correctness", 0.75, "close", run_id)]
    run = client.read_run(run_id)
    assert run.attachments["image"]["mime_type"] == "image/png"
    assert run.attachments["image"]["reader"].read() == png


def test_zstd_is_advertised_and_used(api_url: str, stack: NativeStack, tenant: Tenant, client: Client) -> None:
    assert client.info.instance_flags.get("zstd_compression_enabled") is True
    # The SDK's tracing thread switches to its zstd buffer once it has read /info (wire §2.4).
    wait_for(lambda: client.compressed_traces is not None, timeout=15, what="the SDK to enable zstd")

    @traceable
    def compressed(n: int) -> int:
        return n

    with tracing_context(client=client, project_name="sdk-zstd", enabled=True):
        for i in range(20):
            compressed(i)
    client.flush()
    landed(stack, tenant, 20)
