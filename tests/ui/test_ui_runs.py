"""The runs table in a real browser, against the real stack: input/output previews and error
messages in the rows, sorting by clicking a header, the absolute start time, the summary of the
filtered set, an empty state that names the toggle hiding matches, and the keyboard (j/k, Enter, /).

A fresh workspace, seeded through the official SDK: chat turns (a chain over a chat LLM call with
tokens and no price), a chain with a `question` input, and a failing chain. Screenshots land in
test-artifacts/ui/ at 1280 and 1920 px, as in test_ui_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from langsmith import Client
from langsmith.run_trees import RunTree

from tests.support.ingest_helpers import wait_for
from tests.ui.test_ui_browser import (
    PASSWORD,
    axe_problems,
    chromium,
    expect,
    logged_in_tab,
    new_tenant,
    shot,
    shot_both_widths,
)
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")

# (latency of the turn in seconds, prompt tokens, completion tokens) of each chat turn.
CHAT_TURNS = [(1.2, 100, 20), (2.4, 300, 40), (0.6, 50, 10)]
ERROR = "RateLimitError('upstream returned 429')"


def _seed(client: Client, project: str) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    runs: list[RunTree] = []
    for n, (seconds, prompt, completion) in enumerate(CHAT_TURNS):
        begin = start + dt.timedelta(minutes=n)
        messages = [
            {"role": "system", "content": "You are a support agent. Be brief."},
            {"role": "user", "content": f"How do I reset my password? (turn {n})"},
        ]
        root = RunTree(
            name="chat_turn",
            run_type="chain",
            inputs={"messages": messages},
            start_time=begin,
            project_name=project,
            client=client,
        )
        llm = root.create_child(name="ChatOpenAI", run_type="llm", inputs={"messages": messages}, start_time=begin)
        answer = f"Use the reset link on the login page (answer {n})."
        usage = {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}
        llm.end(
            outputs={"messages": [{"role": "assistant", "content": answer}], "usage_metadata": usage},
            end_time=begin + dt.timedelta(seconds=seconds - 0.1),
        )
        root.end(outputs={"answer": answer}, end_time=begin + dt.timedelta(seconds=seconds))
        runs += [root, llm]
    question = RunTree(
        name="answer_question",
        run_type="chain",
        inputs={"question": "What is the refund policy?"},
        start_time=start + dt.timedelta(minutes=4),
        project_name=project,
        client=client,
    )
    question.end(
        outputs={"answer": "30 days, no questions asked."}, end_time=question.start_time + dt.timedelta(seconds=0.3)
    )
    failing = RunTree(
        name="failing_chain",
        run_type="chain",
        inputs={"question": "Will this fail?"},
        start_time=start + dt.timedelta(minutes=5),
        project_name=project,
        client=client,
    )
    failing_llm = failing.create_child(
        name="ChatOpenAI",
        run_type="llm",
        inputs={"messages": [{"role": "user", "content": "x"}]},
        start_time=failing.start_time + dt.timedelta(milliseconds=50),
    )
    traceback = f'{ERROR}\n\nTraceback (most recent call last):\n  File "agent.py", line 12, in run'
    failing_llm.end(error=traceback, end_time=failing.start_time + dt.timedelta(seconds=0.8))
    failing.end(error=traceback, end_time=failing.start_time + dt.timedelta(seconds=0.9))
    runs += [question, failing, failing_llm]
    for run in runs:
        run.post()
    wait_for(lambda: len(list(client.list_runs(project_name=project))) == len(runs), timeout=90, what="the seeded runs")


@pytest.fixture(scope="module")
def workspace(stack: NativeStack) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"runs-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key, auto_batch_tracing=False)
    project = f"runs-ui-{uuid.uuid4().hex[:6]}"
    _seed(client, project)
    project_id = str(client.read_project(project_name=project).id)
    yield {"email": email, "tenant": tenant, "workspace_id": tenant.workspace_id, "project_id": project_id}
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, stack: NativeStack, workspace: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """A logged-in tab at 1280 px on the project's runs; console errors fail the test."""
    with logged_in_tab(browser, stack, workspace["email"], f"runs-{request.node.name}") as tab:
        tab.goto(f"/o/{workspace['workspace_id']}/projects/p/{workspace['project_id']}")
        expect(rows_of(tab)).to_have_count(5)  # root runs: three chat turns, the question, the failure
        yield tab


def rows_of(tab: Any) -> Any:
    return tab.locator("main table tbody tr")


def row_named(tab: Any, text: str) -> Any:
    return rows_of(tab).filter(has_text=text)


def test_rows_show_previews_errors_and_a_summary(page: Any) -> None:
    # A chat turn reads as its last user message and its answer, not the system prompt.
    chat = row_named(page, "(turn 1)")
    expect(chat).to_contain_text("How do I reset my password? (turn 1)")
    expect(chat).to_contain_text("Use the reset link on the login page (answer 1).")
    expect(chat).not_to_contain_text("You are a support agent")
    # A chain's question and answer.
    expect(row_named(page, "answer_question")).to_contain_text("What is the refund policy?")
    expect(row_named(page, "answer_question")).to_contain_text("30 days, no questions asked.")
    # The error's first line, in the row; not its traceback.
    failing = row_named(page, "failing_chain")
    expect(failing).to_contain_text(ERROR)
    expect(failing).not_to_contain_text("Traceback")
    # The summary of the filtered set: 1 of 5 failed; the traces' tokens; no price, so no cost.
    summary = page.get_by_role("group", name="Summary of the matching runs")
    tokens = sum(p + c for _, p, c in CHAT_TURNS)
    expect(summary).to_contain_text("Error rate20%")
    expect(summary).to_contain_text(f"Tokens{tokens}")
    expect(summary).to_contain_text("Cost\u2013")  # an en dash: no cost data
    expect(summary).not_to_contain_text("$0")
    expect(summary).to_contain_text("Latency p50900 ms")  # of 2.4, 1.2, 0.9, 0.6 and 0.3 s
    shot_both_widths(page, "runs-previews")
    # Only the failures: the summary follows the filter.
    page.get_by_label("Filter query").fill('eq(status, "error")')
    page.get_by_label("Filter query").press("Enter")
    expect(rows_of(page)).to_have_count(1)
    expect(summary).to_contain_text("Error rate100%")
    # axe-core's WCAG 2 A/AA rules over the table with its new columns, headers and summary.
    problems = axe_problems(page)
    assert not problems, "\n".join(problems)


def latencies(tab: Any) -> list[str]:
    headers = tab.locator("main table thead th").all_inner_texts()
    column = next(n for n, text in enumerate(headers, start=1) if text.startswith("Latency"))
    return [cell.strip() for cell in rows_of(tab).locator(f"td:nth-child({column})").all_inner_texts()]


def test_sort_by_clicking_headers_and_the_absolute_start_time(page: Any) -> None:
    header = page.get_by_role("columnheader", name=re.compile("^Latency"))
    page.get_by_role("button", name=re.compile("^Latency")).click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows_of(page).first).to_contain_text("2.40 s")
    expect(rows_of(page).last).to_contain_text("300 ms")
    assert latencies(page) == ["2.40 s", "1.20 s", "900 ms", "600 ms", "300 ms"]
    assert "sort=latency" in page.url  # the order is part of the shareable URL
    page.get_by_role("button", name=re.compile("^Latency")).click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows_of(page).first).to_contain_text("300 ms")
    # Tokens: a root's are its trace's (the biggest turn first).
    page.get_by_role("button", name=re.compile("^Tokens")).click()
    expect(page.get_by_role("columnheader", name=re.compile("^Tokens"))).to_have_attribute("aria-sort", "descending")
    expect(header).not_to_have_attribute("aria-sort", re.compile(".*"))
    expect(rows_of(page).first).to_contain_text("(turn 1)")
    # Names: A to Z first.
    page.get_by_role("button", name=re.compile("^Name")).click()
    expect(rows_of(page).first).to_contain_text("answer_question")
    expect(rows_of(page).last).to_contain_text("failing_chain")
    # Reloading keeps the order (it is in the URL).
    page.reload()
    expect(rows_of(page).first).to_contain_text("answer_question")
    # The relative start time carries the full local time on hover; the absolute one is a column.
    start = rows_of(page).first.locator("td[title]").filter(has_text=re.compile("min ago")).first
    expect(start).to_have_attribute("title", re.compile(r"\d\d \w{3} \d{4}, \d\d:\d\d:\d\d\.\d{3}"))
    page.get_by_text("Columns", exact=True).click()
    page.get_by_label("Start time (absolute)").check()
    expect(page.get_by_role("columnheader", name=re.compile("^Start time \\(absolute\\)"))).to_be_visible()
    expect(rows_of(page).first.locator("time")).to_have_text(re.compile(r"\d\d \w{3} \d{4}, \d\d:\d\d:\d\d"))
    page.keyboard.press("Escape")
    shot_both_widths(page, "runs-sorted")


def test_a_filter_on_inner_runs_shows_them_and_the_empty_state_says_why(page: Any) -> None:
    root_only = page.get_by_label("Root runs only")
    expect(root_only).to_be_checked()
    # LLM calls are never roots: the filter turns "Root runs only" off, and says so.
    page.get_by_label("Filter query").fill('eq(run_type, "llm")')
    page.get_by_label("Filter query").press("Enter")
    expect(rows_of(page)).to_have_count(len(CHAT_TURNS) + 1)
    expect(root_only).not_to_be_checked()
    notice = page.get_by_role("status").filter(has_text="Root runs only")
    expect(notice).to_contain_text("was turned off")
    assert "root=0" in page.url
    shot(page, "runs-inner-runs-1280")
    # Back to root runs only: nothing matches, and the empty state names the toggle and its count.
    notice.get_by_role("button", name="Back to root runs only").click()
    expect(root_only).to_be_checked()
    empty = page.get_by_role("status").filter(has_text="No runs match these filters")
    expect(empty).to_contain_text(f"{len(CHAT_TURNS) + 1} runs inside traces match, hidden by “Root runs only”")
    shot_both_widths(page, "runs-empty-hidden")
    empty.get_by_role("button", name="Turn off “Root runs only”").click()
    expect(rows_of(page)).to_have_count(len(CHAT_TURNS) + 1)
    expect(root_only).not_to_be_checked()


def test_keyboard_moves_opens_and_filters(page: Any) -> None:
    rows = rows_of(page)
    page.keyboard.press("j")
    expect(rows.nth(0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(2)).to_be_focused()
    page.keyboard.press("k")
    expect(rows.nth(1)).to_be_focused()
    expect(page.get_by_text("j / k move")).to_be_visible()  # the hint
    # "/" goes to the filter box; there, j and k are text.
    page.keyboard.press("/")
    box = page.get_by_label("Filter query")
    expect(box).to_be_focused()
    page.keyboard.type("jk")
    expect(box).to_have_value("jk")
    expect(box).to_be_focused()
    box.fill("")
    # Enter on the highlighted row opens its trace.
    rows.nth(1).focus()
    page.keyboard.press("j")
    expect(rows.nth(2)).to_be_focused()
    name = rows.nth(2).locator("td.run-name").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/r/[0-9a-f-]+"))
    expect(page.get_by_role("tree").get_by_role("treeitem").first).to_contain_text(name)
