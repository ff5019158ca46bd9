"""Public run shares (wire §3.3) through the official SDK."""

from __future__ import annotations

import uuid

import httpx
import pytest
from langsmith import Client

from tests.conftest import Tenant
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


def test_share_a_run_publicly(
    stack: NativeStack, chat_traces: tuple[Tenant, Client, list[dict]], other_tenant: Tenant
) -> None:
    _tenant, client, runs = chat_traces
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
