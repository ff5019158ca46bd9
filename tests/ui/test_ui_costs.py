"""Model prices in the browser (issue 19): a model the table does not know shows "No prices" with an
"Add a price" link; following it opens Settings, Model prices with the model filled in; the price
added there is what `costs recompute` then prices the run with, and monitoring shows the cost."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from langsmith import Client
from langsmith.run_trees import RunTree

from tests.conftest import make_tenant, python_module
from tests.support.ingest_helpers import clickhouse, wait_for
from tests.ui.test_ui_browser import PASSWORD, axe_problems, chromium, expect, logged_in_tab, shot
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def unpriced(stack: NativeStack) -> Iterator[dict[str, Any]]:
    """A workspace with a login and one traced LLM call of a model no price names."""
    tenant = make_tenant(stack)
    email = f"ui-costs-{uuid.uuid4().hex[:8]}@example.com"
    assert tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"}).status_code == 201
    model = f"house-ui-{uuid.uuid4().hex[:6]}"
    project = f"costs-ui-{uuid.uuid4().hex[:6]}"
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    root = RunTree(
        name="agent", run_type="chain", inputs={"q": 1}, start_time=start, project_name=project, client=client
    )
    llm = root.create_child(name="llm", run_type="llm", start_time=start, extra={"metadata": {"ls_model_name": model}})
    usage = {"input_tokens": 1000, "output_tokens": 1000, "total_tokens": 2000}
    llm.end(outputs={"usage_metadata": usage}, end_time=start + dt.timedelta(seconds=1))
    root.end(outputs={"a": 1}, end_time=start + dt.timedelta(seconds=1))
    root.post(exclude_child_runs=False)
    client.flush()
    workspace = tenant.workspace_id
    ch = clickhouse(stack)
    wait_for(
        lambda: ch.query(
            "SELECT count() FROM runs FINAL WHERE workspace_id = %(w)s AND model_name = %(m)s",
            {"w": workspace, "m": model},
        )[0][0],
        what="the LLM run",
    )
    project_id = tenant.client.get("/sessions", params={"name": project}).json()[0]["id"]
    yield {"email": email, "model": model, "project": project, "project_id": project_id, "workspace": workspace}
    tenant.client.close()


def test_add_a_price_from_no_prices_and_see_it_used(stack: NativeStack, unpriced: dict[str, Any]) -> None:
    model, ws = unpriced["model"], unpriced["workspace"]
    monitoring = f"/o/{ws}/projects/p/{unpriced['project_id']}/monitoring"
    with chromium() as browser, logged_in_tab(browser, stack, unpriced["email"], "model-prices") as tab:
        tab.goto(monitoring)
        cost = tab.get_by_role("region", name="Cost")
        expect(cost).to_contain_text(f"No prices for {model}")
        cost.get_by_role("link", name="Add a price").click()

        # Settings, Model prices, with the dialog open and the model filled in.
        dialog = tab.get_by_role("dialog", name="Add model price")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("Name", exact=True)).to_have_value(model)
        expect(dialog.get_by_label("Model name pattern (regular expression)")).to_have_value(f"^{model}$")
        dialog.get_by_label("Input $ per 1M tokens").fill("2")
        dialog.get_by_label("Output $ per 1M tokens").fill("4")
        dialog.get_by_role("button", name="Add price").click()
        expect(dialog).to_be_hidden()
        row = tab.get_by_role("row").filter(has=tab.get_by_text(model, exact=True))
        expect(row).to_contain_text("This workspace")
        expect(row).to_contain_text("$2")
        assert axe_problems(tab) == []
        shot(tab, "model-prices-settings")

        tab.get_by_label("Test a model name").fill(model)
        tab.get_by_role("button", name="Test", exact=True).click()
        expect(tab.get_by_role("status")).to_contain_text(f"{model} is priced by {model}")

        # The stored run was ingested before the price existed: recompute prices it with it.
        result = python_module(
            "tooling.cli", "--data-dir", str(stack.data_dir), "costs", "recompute", "--project", unpriced["project"]
        )
        assert result.returncode == 0, result.stderr
        assert "done: 1 run(s) re-priced" in result.stdout
        tab.goto(monitoring)
        cost = tab.get_by_role("region", name="Cost")
        # 1000 input tokens at $2 and 1000 output at $4 per 1M.
        expect(tab.locator(".monitoring-stats")).to_contain_text("$0.00600")
        expect(cost).not_to_contain_text("No prices")
        spend = tab.get_by_role("region", name="Spend by model")
        expect(spend.get_by_role("row").filter(has_text=model)).to_contain_text("$0.00600")
        assert axe_problems(tab) == []
