"""Fixtures shared by the backend's stack tests."""

from __future__ import annotations

import datetime as dt

import pytest
from langsmith import Client

from tests.conftest import Tenant
from tests.support.ingest_helpers import child_run, clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack


@pytest.fixture
def chat_traces(stack: NativeStack, tenant: Tenant) -> tuple[Tenant, Client, list[dict]]:
    """A project "chat" of three one-second turns (threads t-a, t-a, t-b), the first with an LLM
    child that used 5 tokens; gives the tenant, an SDK client and the ingested runs."""
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
