"""Webhooks and alert rules in a real browser, against the real stack: an admin adds a webhook in
Settings (the generated secret is shown once), sends a test event that a local receiver gets
signed, reads the delivery log, then adds an alert rule on a project's Alerts tab that notifies it.
Screenshots land in test-artifacts/ui/ as in test_ui_browser.py."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.webhooks.signing import HEADER, verify
from tests.support.ingest_helpers import wait_for
from tests.support.webhook_receiver import webhook_receiver
from tests.ui.test_ui_browser import PASSWORD, axe_problems, chromium, expect, logged_in_tab, new_tenant, shot
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def workspace(stack: NativeStack) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"alerts-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    project = tenant.client.post("/sessions", json={"name": f"alerted-{uuid.uuid4().hex[:6]}"}).json()["id"]
    yield {"email": email, "tenant": tenant, "project": project}
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_add_a_webhook_send_a_test_and_alert_on_a_project(
    browser: Any, stack: NativeStack, workspace: dict[str, Any]
) -> None:
    tenant = workspace["tenant"]
    with webhook_receiver() as receiver, logged_in_tab(browser, stack, workspace["email"], "alerts-webhooks") as tab:
        base = re.sub(r"/projects$", "", tab.url)
        tab.goto(f"{base}/settings/webhooks")
        tab.get_by_role("button", name="Add webhook").click()
        dialog = tab.get_by_role("dialog", name="Add webhook")
        dialog.get_by_label("Name").fill("oncall")
        dialog.get_by_label("URL").fill(receiver.url())
        dialog.get_by_label("Format").select_option("slack")
        dialog.get_by_role("button", name="Add webhook").click()
        secret_box = tab.get_by_role("dialog", name="Webhook signing secret").locator("input")
        expect(secret_box).to_have_value(re.compile(r"^whsec_"))
        secret = secret_box.input_value()
        shot(tab, "alerts-webhook-secret")
        tab.get_by_role("button", name="I have saved it").click()
        row = tab.locator("tr", has_text="oncall")
        expect(row).to_contain_text("Slack")
        assert secret not in tab.content()

        row.get_by_role("button", name="Send a test event to oncall").click()
        expect(row.get_by_role("status")).to_contain_text("Test event queued")
        [received] = wait_for(lambda: list(receiver.requests), timeout=60, what="the test delivery")
        assert verify(secret, received.headers[HEADER.lower()], received.body)
        assert "Test event" in received.json()["text"]
        hook_id = tenant.client.get("/webhooks").json()[0]["id"]
        wait_for(
            lambda: [
                d for d in tenant.client.get(f"/webhooks/{hook_id}/deliveries").json() if d["status"] == "delivered"
            ],
            what="the delivery to be logged",
        )
        row.get_by_role("button", name="Delivery log of oncall").click()
        log = tab.get_by_role("dialog", name="Deliveries to oncall")
        expect(log.get_by_text("webhook.test")).to_be_visible()
        expect(log.get_by_text("delivered")).to_be_visible()
        assert axe_problems(tab) == []
        shot(tab, "alerts-delivery-log")
        log.get_by_role("button", name="Close").first.click()

        tab.goto(f"{base}/projects/p/{workspace['project']}/alerts")
        expect(tab.get_by_role("heading", name="Alert rules")).to_be_visible()
        tab.get_by_role("button", name="New alert rule").click()
        form = tab.get_by_role("dialog", name="New alert rule")
        form.get_by_label("Name").fill("error spike")
        form.get_by_label("Threshold (%)").fill("20")
        form.get_by_label("Window (minutes)").fill("10")
        form.get_by_label("oncall").check()
        form.get_by_role("button", name="Create rule").click()
        rule_row = tab.locator("tr", has_text="error spike")
        expect(rule_row).to_contain_text("Error rate > 20.0% over 10 min")
        expect(rule_row).to_contain_text("ok")
        [rule] = tenant.client.get("/alert-rules", params={"project_id": workspace["project"]}).json()
        assert (rule["threshold"], rule["window_minutes"], rule["webhook_ids"]) == (0.2, 10, [hook_id])
        assert axe_problems(tab) == []
        shot(tab, "alerts-rules")
        rule_row.get_by_role("button", name="History of error spike").click()
        expect(tab.get_by_role("dialog", name="History of error spike").get_by_text("Never fired")).to_be_visible()
