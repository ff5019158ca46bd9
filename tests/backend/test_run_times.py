"""Run times are answered as LangSmith answers them: UTC without an offset, so the SDK reads back
the naive UTC time it sent, on every path that answers runs (read, query, threads, shares)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from langsmith import Client

from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")


def test_the_sdk_reads_back_the_naive_utc_times_it_sent(stack: NativeStack, api_url: str, tenant: Tenant) -> None:
    client = Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)
    # A zone that is not UTC: the answer is still that instant in UTC, without an offset.
    start = dt.datetime(2026, 3, 1, 14, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    end = start + dt.timedelta(seconds=2)
    run_id, project = uuid.uuid4(), f"times-{uuid.uuid4().hex[:8]}"
    client.create_run(
        "timed",
        inputs={"q": 1},
        run_type="chain",
        id=run_id,
        start_time=start,
        end_time=end,
        outputs={"a": 2},
        project_name=project,
        extra={"metadata": {"thread_id": "t-times"}},
    )
    wait_for(lambda: [r for r in run_rows(clickhouse(stack), tenant.workspace_id) if r[1] == "timed"])
    # SDK 0.15.1's Run reads an offset-less time as UTC (older SDKs keep it naive): the same
    # instant either way only if the server's naive time is UTC.
    run = client.read_run(run_id)
    assert run.start_time == start and run.end_time == end
    [listed] = client.list_runs(project_name=project)
    assert listed.start_time == start

    raw = tenant.client.get(f"/runs/{run_id}").json()
    assert NAIVE.match(raw["start_time"]) and NAIVE.match(raw["end_time"]), raw["start_time"]
    assert raw["start_time"] == "2026-03-01T09:30:15.123456"
    queried = tenant.client.post("/runs/query", json={"id": [str(run_id)], "select": ["start_time", "end_time"]})
    assert [NAIVE.match(r["start_time"]) is not None for r in queried.json()["runs"]] == [True]

    project_id = str(client.read_project(project_name=project).id)
    threads = tenant.client.get(f"/sessions/{project_id}/threads").json()["threads"]
    assert [t["first_start_time"] for t in threads] == ["2026-03-01T09:30:15.123456"]
    detail = tenant.client.get(f"/sessions/{project_id}/threads/t-times").json()
    assert [(t["start_time"], t["end_time"]) for t in detail["turns"]] == [
        ("2026-03-01T09:30:15.123456", "2026-03-01T09:30:17.123456")
    ]

    token = client.share_run(run_id).rstrip("/").split("/")[-2]
    assert Client(api_url=api_url, api_key="unused").read_shared_run(token).start_time == start
    public = tenant.client.get(f"/public/{token}/run").json()
    assert public["start_time"] == "2026-03-01T09:30:15.123456"
