"""Every page of the UI at 1280 and 1920 px wide, with SDK-seeded data, in a real browser.

Each page is opened, waited on until its data shows, and saved as `<page>-<width>.png` under
test-artifacts/ui/ (to be looked at: stretched or cramped layouts show there). Each page must also
be as tall as its content: hidden screen-reader tables (a chart's data) once made the monitoring
page twice its content's height, so scrolling showed an empty screen. No page may log a script
error. Then what the small fixes of issue 18 promise: costs without prices say so, the projects
list has feedback and a time range, and a provider on a refused address is not saved.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from langsmith import Client
from langsmith.run_trees import RunTree

from tests.support.ingest_helpers import wait_for
from tests.support.model_server import ModelServer
from tests.support.ui_seed import seed
from tests.ui.test_ui_browser import (
    PASSWORD,
    chromium,
    expect,
    expected_console_error,
    login,
    new_tenant,
    open_tab,
    shot,
)
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")

WIDTHS = (1280, 1920)
# The document may end this far below the last visible element: the content's bottom padding
# (40 px) and borders. The bug this guards against added hundreds to thousands of px.
SLACK = 48

# The document's height against its content: the lowest visible box (screen-reader-only boxes
# and what they hold excluded; a box clipped by a scrolling parent may reach lower, which only
# makes the check lenient) and the viewport.
# Where the visible content ends: each element's bottom, cut at the bottom of any scrolling or
# clipping box it sits in (rows scrolled inside a table box are not content below it).
MEASURE = """() => {
  let bottom = 0;
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".sr-only")) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || getComputedStyle(el).visibility === "hidden") continue;
    let end = r.bottom;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowY !== "visible") end = Math.min(end, up.getBoundingClientRect().bottom);
    }
    bottom = Math.max(bottom, end + window.scrollY);
  }
  return { scroll: document.documentElement.scrollHeight, viewport: window.innerHeight, bottom: Math.ceil(bottom) };
}"""


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    with ModelServer(token_delay=0.02) as server:
        yield server


def _unpriced_project(client: Client) -> str:
    """A project whose LLM runs recorded tokens but no cost (no price reached them)."""
    project = f"unpriced-{uuid.uuid4().hex[:6]}"
    now = dt.datetime.now(dt.UTC)
    for n in range(3):
        start = now - dt.timedelta(minutes=30 + n)
        root = RunTree(
            name="agent", run_type="chain", inputs={"q": n}, start_time=start, project_name=project, client=client
        )
        llm = root.create_child(
            name="ChatOpenAI",
            run_type="llm",
            start_time=start,
            extra={"metadata": {"ls_provider": "openai", "ls_model_name": "house-model-mini"}},
        )
        usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
        llm.end(
            outputs={"messages": [{"role": "assistant", "content": "ok"}], "usage_metadata": usage},
            end_time=start + dt.timedelta(seconds=1),
        )
        root.end(outputs={"a": "ok"}, end_time=start + dt.timedelta(seconds=1))
        root.post(exclude_child_runs=False)
    client.flush()
    return project


@pytest.fixture(scope="module")
def seeded(stack: NativeStack, model_server: ModelServer) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"pages-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    info = seed(stack.url, tenant.key, model_server.url)
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key, auto_batch_tracing=False)
    queue = client.create_annotation_queue(name=f"triage-{uuid.uuid4().hex[:6]}", rubric_instructions="Is it right?")
    client.add_runs_to_annotation_queue(queue.id, run_ids=[info["ok_root_id"]])
    unpriced = _unpriced_project(client)

    def unpriced_id() -> str | None:
        found = tenant.client.get("/sessions", params={"name": unpriced, "include_stats": "true"}).json()
        return found[0]["id"] if found and found[0]["total_tokens"] == 360 else None

    info.update(
        email=email,
        tenant=tenant,
        queue_id=str(queue.id),
        unpriced_project_id=wait_for(unpriced_id, what="unpriced runs"),
    )
    yield info
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(seeded: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def pages(seeded: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, path, text that shows once its data is there) for every page."""
    ws, project, dataset = seeded["workspace_id"], seeded["project_id"], seeded["dataset_id"]
    experiments = ",".join(seeded["experiments"])
    return [
        ("projects", f"/o/{ws}/projects", "support-bot"),
        ("runs", f"/o/{ws}/projects/p/{project}", "support_agent"),
        ("runs-errors", f"/o/{ws}/projects/p/{project}?status=error", "support_agent"),
        ("trace", f"/o/{ws}/projects/p/{project}/r/{seeded['ok_root_id']}", "search_docs"),
        ("trace-error", f"/o/{ws}/projects/p/{project}/r/{seeded['error_root_id']}", "RateLimitError"),
        ("threads", f"/o/{ws}/projects/p/{project}/threads", "thread-0"),
        ("thread", f"/o/{ws}/projects/p/{project}/threads/thread-1", "Turn 1"),
        ("monitoring", f"/o/{ws}/projects/p/{project}/monitoring", "Error rate"),
        ("monitoring-unpriced", f"/o/{ws}/projects/p/{seeded['unpriced_project_id']}/monitoring", "No prices for"),
        ("datasets", f"/o/{ws}/datasets", "qa-golden"),
        ("dataset", f"/o/{ws}/datasets/{dataset}", "How do I reset my password?"),
        ("dataset-experiments", f"/o/{ws}/datasets/{dataset}/experiments", seeded["experiment_names"][0]),
        ("compare", f"/o/{ws}/datasets/{dataset}/compare?selectedSessions={experiments}", "regression"),
        ("prompts", f"/o/{ws}/prompts", "support-answer"),
        ("prompt", f"/o/{ws}/prompts/-/support-answer", "concise support agent"),
        ("playground", f"/o/{ws}/playground", "Model settings"),
        ("queues", f"/o/{ws}/queues", "triage-"),
        ("review", f"/o/{ws}/queues/{seeded['queue_id']}", "Is it right?"),
        ("settings", f"/o/{ws}/settings", "API keys"),
        ("members", f"/o/{ws}/settings/members", seeded["email"]),
        ("providers", f"/o/{ws}/settings/providers", "local-echo"),
        ("workspace", f"/o/{ws}/settings/workspace", ws),
    ]


def height_problem(tab: Any, name: str) -> str | None:
    m = tab.evaluate(MEASURE)
    if m["scroll"] > max(m["viewport"], m["bottom"] + SLACK):
        return f"{name}: the document is {m['scroll']} px tall, its content ends at {m['bottom']} px ({m})"
    return None


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_at_width(browser: Any, stack: NativeStack, seeded: dict[str, Any], width: int) -> None:
    context, tab, errors = open_tab(browser, stack, width=width)
    problems: list[str] = []
    tab.goto("/login")
    expect(tab.get_by_role("button", name="Log in")).to_be_visible()
    shot(tab, f"login-{width}")
    problems.append(height_problem(tab, "login") or "")
    login(tab, seeded["email"], PASSWORD)
    for name, path, text in pages(seeded):
        tab.goto(path)
        expect(tab.get_by_text(text).first).to_be_visible()
        expect(tab.get_by_role("status").filter(has_text=re.compile("^Loading"))).to_have_count(0)
        shot(tab, f"{name}-{width}")
        problems.append(height_problem(tab, name) or "")
    context.close()
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)
    assert not [e for e in errors if not expected_console_error(e)], errors


def test_scrolling_a_long_page_keeps_the_sidebar(browser: Any, stack: NativeStack, seeded: dict[str, Any]) -> None:
    """Scrolled to the end, the monitoring page still shows content and the whole sidebar."""
    context, tab, _ = open_tab(browser, stack)
    login(tab, seeded["email"], PASSWORD)
    tab.goto(f"/o/{seeded['workspace_id']}/projects/p/{seeded['project_id']}/monitoring")
    expect(tab.get_by_text("LLM calls").first).to_be_visible()
    tab.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(tab.get_by_role("region", name="LLM calls")).to_be_in_viewport()
    expect(tab.get_by_role("button", name="Log out")).to_be_in_viewport()
    tab.screenshot(path=str(shot_path("monitoring-scrolled-1280")))
    context.close()


def shot_path(name: str) -> Any:
    from tests.ui.test_ui_browser import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_costs_without_prices_say_so(browser: Any, stack: NativeStack, seeded: dict[str, Any]) -> None:
    context, tab, errors = open_tab(browser, stack)
    login(tab, seeded["email"], PASSWORD)
    ws = seeded["workspace_id"]
    tab.goto(f"/o/{ws}/projects/p/{seeded['unpriced_project_id']}/monitoring")
    cost = tab.get_by_role("region", name="Cost")
    expect(cost).to_contain_text("No prices for house-model-mini")
    expect(cost.locator("svg")).to_have_count(0)  # no empty chart on a "$1" axis
    expect(tab.locator(".monitoring-stats")).not_to_contain_text("$0")
    # The projects list: "No prices" where "$0" or a bare dash would mislead; priced projects keep their cost.
    tab.goto(f"/o/{ws}/projects")
    unpriced = tab.get_by_role("row").filter(has=tab.get_by_role("link", name=re.compile("^unpriced-")))
    expect(unpriced).to_contain_text("No prices")
    priced = tab.get_by_role("row").filter(has=tab.get_by_role("link", name="support-bot", exact=True))
    expect(priced).to_contain_text(re.compile(r"\$0\.\d+"))
    shot(tab, "projects-costs")
    context.close()
    assert not [e for e in errors if not expected_console_error(e)], errors


def test_projects_list_has_feedback_and_a_time_range(browser: Any, stack: NativeStack, seeded: dict[str, Any]) -> None:
    context, tab, errors = open_tab(browser, stack)
    login(tab, seeded["email"], PASSWORD)
    row = tab.get_by_role("row").filter(has=tab.get_by_role("link", name="support-bot", exact=True))
    # The seeded feedback: `helpfulness` and `correct` on the support-bot's traces, as mean scores.
    stats = _project_stats(seeded, {})
    avg = stats["feedback_stats"]["helpfulness"]["avg"]
    chips = row.get_by_role("list", name="Mean feedback scores")
    expect(chips).to_contain_text(f"helpfulness {int(avg) if float(avg).is_integer() else f'{avg:.2f}'}")
    expect(chips).to_contain_text("correct")
    expect(row).to_contain_text(str(stats["run_count"]))
    # A time range: the stats are asked for over the window (in the URL too) and shown as answered.
    with tab.expect_request(lambda r: "/api/v1/sessions" in r.url and "stats_start_time=" in r.url) as sent:
        tab.get_by_label("Stats over").select_option(label="Last 24 hours")
    expect(tab).to_have_url(re.compile(r"range=24h"))
    since = parse_qs(urlparse(sent.value.url).query)["stats_start_time"][0]
    start = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
    assert dt.timedelta(hours=23, minutes=58) < dt.datetime.now(dt.UTC) - start < dt.timedelta(hours=25)
    windowed = _project_stats(seeded, {"stats_start_time": since})
    expect(row.locator("td").nth(1)).to_have_text(f"{windowed['run_count']:,}")
    shot(tab, "projects-range")
    context.close()
    assert not [e for e in errors if not expected_console_error(e)], errors


def _project_stats(seeded: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    query = {"id": seeded["project_id"], "include_stats": "true", **params}
    return seeded["tenant"].client.get("/sessions", params=query).json()[0]


def test_a_provider_on_a_refused_address_is_not_saved(browser: Any, stack: NativeStack, seeded: dict[str, Any]) -> None:
    context, tab, _ = open_tab(browser, stack)
    login(tab, seeded["email"], PASSWORD)
    tab.goto(f"/o/{seeded['workspace_id']}/settings/providers")
    tab.get_by_role("button", name="Add provider").click()
    dialog = tab.get_by_role("dialog", name="Add model provider")
    dialog.get_by_label("Name").fill("internal-box")
    dialog.get_by_label("Kind").select_option(value="openai_compatible")
    dialog.get_by_label("Base URL").fill("http://10.1.2.3:8000/v1")
    dialog.get_by_role("button", name="Add provider").click()
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("10.1.2.3:8000 is not in PLAYGROUND_ALLOWED_HOSTS")
    shot(tab, "provider-refused")
    names = [p["name"] for p in seeded["tenant"].client.get("/playground/providers").json()]
    assert "internal-box" not in names
    context.close()
