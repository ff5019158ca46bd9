"""Settings > Storage and the disk-budget banner in a real browser, against the real stack.

A fresh workspace with a few runs; the storage check (worker/storage.py) is run directly with a
budget the installation is already over, so the banner shows for the admin; the Storage tab lists
the workspace's project with its size. Screenshots land in test-artifacts/ui/.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from langsmith import Client
from langsmith.utils import LangSmithError

from app.core.settings import storage_settings
from tests.support.ingest_helpers import clickhouse, wait_for
from tests.ui.test_ui_browser import PASSWORD, axe_problems, chromium, expect, logged_in_tab, new_tenant, shot
from tooling.runner.stack import NativeStack
from worker.storage import run_check

sync_api = pytest.importorskip("playwright.sync_api")


def check(stack: NativeStack, **env: str) -> None:
    ch = clickhouse(stack)
    try:
        run_check(
            ch, stack.env()["POSTGRES_DSN"], redis.Redis.from_url(stack.env()["REDIS_URL"]), storage_settings(env)
        )
    finally:
        ch.close()


@pytest.fixture(scope="module")
def workspace(stack: NativeStack) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"st-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key, auto_batch_tracing=False)
    ids = [uuid.uuid4() for _ in range(3)]
    now = dt.datetime.now(dt.UTC)
    for n, run_id in enumerate(ids):
        client.create_run(
            name=f"step {n}",
            inputs={"question": "how big " * 50},
            outputs={"answer": "this big " * 50},
            run_type="chain",
            project_name="storage-ui",
            start_time=now,
            end_time=now + dt.timedelta(seconds=1),
            id=run_id,
        )

    def stored() -> bool:
        try:
            return len(list(client.list_runs(project_name="storage-ui"))) == 3
        except LangSmithError:  # the project is created with its first stored run
            return False

    wait_for(stored, what="runs stored")
    check(stack, STORAGE_BUDGET="1")  # far over: the banner shows
    yield {"email": email, "tenant": tenant}
    check(stack)  # no budget again: other UI modules of the session see no banner
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_an_admin_sees_the_budget_banner_and_the_storage_tab(
    browser: Any, stack: NativeStack, workspace: dict[str, Any]
) -> None:
    with logged_in_tab(browser, stack, workspace["email"], "storage-tab") as tab:
        banner = tab.get_by_role("status").filter(has_text="Disk budget exceeded")
        expect(banner).to_be_visible()
        shot(tab, "storage-banner")
        banner.get_by_role("link", name="See storage").click()
        tab.wait_for_url(re.compile(r"/settings/storage$"))
        expect(tab.get_by_role("link", name="Storage", exact=True)).to_have_attribute("aria-current", "page")
        row = tab.locator("main table tbody tr").filter(has_text="storage-ui")
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text("3")
        expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^\d+(\.\d+)? (B|kB|MB)$"))
        expect(tab.get_by_text("Over budget.")).to_be_visible()
        assert axe_problems(tab) == []
