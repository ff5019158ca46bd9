"""Retention settings in a real browser against the real stack: an admin sets the workspace's
tiers and payload-first days in Settings, then puts a project on the short tier from its Settings
tab; both are read back over the API. Screenshots land in test-artifacts/ui/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.test_ui_browser import PASSWORD, axe_problems, chromium, expect, logged_in_tab, new_tenant, shot
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def workspace(stack: NativeStack) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"ret-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    project = tenant.client.post("/sessions", json={"name": "retention-ui"}).json()
    yield {"email": email, "tenant": tenant, "workspace_id": tenant.workspace_id, "project": project}
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_an_admin_sets_workspace_tiers_and_a_project_tier(
    browser: Any, stack: NativeStack, workspace: dict[str, Any]
) -> None:
    api = workspace["tenant"].client
    ws, project = workspace["workspace_id"], workspace["project"]
    with logged_in_tab(browser, stack, workspace["email"], "retention-settings") as tab:
        tab.goto(f"/o/{ws}/settings/workspace")
        card = tab.get_by_role("region", name="Data retention")
        expect(card.get_by_text("400 days")).to_be_visible()
        card.get_by_role("button", name="Change retention").click()
        card.get_by_label("Short-lived tier (days)").fill("7")
        card.get_by_role("checkbox").check()
        card.get_by_label("Payload retention (days)").fill("30")
        card.get_by_role("button", name="Save retention").click()
        expect(card.get_by_text("7 days")).to_be_visible()
        expect(card.get_by_text("expire after 30 days", exact=False)).to_be_visible()
        assert axe_problems(tab) == []
        shot(tab, "retention-workspace")
        saved = api.get("/retention").json()
        assert (saved["shortlived_ttl_days"], saved["payload_ttl_days"]) == (7, 30)

        tab.goto(f"/o/{ws}/projects/p/{project['id']}/settings")
        section = tab.get_by_role("region", name="Data retention")
        expect(section.get_by_text("workspace's default", exact=False)).to_be_visible()
        section.get_by_label("Tier").select_option("shortlived")
        section.get_by_role("button", name="Save retention").click()
        expect(section.get_by_role("status")).to_contain_text("Saved")
        expect(section.get_by_text("7 days", exact=True)).to_be_visible()
        assert axe_problems(tab) == []
        assert api.get(f"/sessions/{project['id']}").json()["trace_tier"] == "shortlived"
