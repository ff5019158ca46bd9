"""Threads as conversations in a real browser, against the real stack.

A fresh workspace, seeded through the official SDK as a typical chat app traces itself: each turn is a
chain run whose input carries the whole `history` plus the new `question` and whose output is an
`answer`, with a chat-model LLM child whose input is OpenAI-style messages (a multi-line system prompt
first). Another thread mentions a refund; a third is three days old. Checked: a turn shows only its
newest user message and the answer as chat bubbles, the raw JSON is one click away, the LLM run's
system prompt keeps its line breaks, the root chain run's question renders as chat, the list's search
and time range narrow it, and full thread ids come with a copy button. Screenshots at 1280 and 1920
px wide land in test-artifacts/ui/ as in test_ui_browser.py.
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

SYSTEM_PROMPT = "You are the Acme support assistant.\nRule 1: answer in two sentences.\nRule 2: never guess."
QUESTIONS = ["Hi, I cannot log in.", "It says my key expired.", "How do I rotate an API key?"]
ANSWERS = [
    "Sorry to hear that. What does the error say?",
    "Expired keys are refused; you need a new one.",
    "Open **Settings → API keys**, create a new key, then revoke the old one.",
]


def _turn(
    client: Client,
    project: str,
    thread: str,
    start: dt.datetime,
    *,
    history: list[dict[str, str]],
    question: str,
    answer: str,
) -> str:
    """One turn of a chat app: a chain run {history, question} → {answer} with its LLM call."""
    root = RunTree(
        name="support_chat",
        run_type="chain",
        inputs={"history": history, "question": question},
        start_time=start,
        project_name=project,
        client=client,
        extra={"metadata": {"session_id": thread}},
    )
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, *history, {"role": "user", "content": question}]
    llm = root.create_child(
        name="ChatOpenAI",
        run_type="llm",
        inputs={"messages": messages},
        start_time=start + dt.timedelta(milliseconds=100),
        extra={"invocation_params": {"model": "gpt-4o-mini"}},
    )
    llm.end(
        outputs={"choices": [{"message": {"role": "assistant", "content": answer}}]},
        end_time=start + dt.timedelta(milliseconds=800),
    )
    root.end(outputs={"answer": answer}, end_time=start + dt.timedelta(seconds=1))
    root.post(exclude_child_runs=False)
    return str(root.id)


@pytest.fixture(scope="module")
def workspace(stack: NativeStack) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"threads-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    project = f"chat-app-{uuid.uuid4().hex[:6]}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # Long, id-like thread ids (as apps use UUIDs): the list must show them whole.
    support = f"support-{uuid.uuid4()}"
    refund = f"billing-{uuid.uuid4()}"
    old = f"archived-{uuid.uuid4()}"
    history: list[dict[str, str]] = []
    turn_ids = []
    for n, (question, answer) in enumerate(zip(QUESTIONS, ANSWERS, strict=True)):
        # Recent (minutes ago), so "last hour" still holds them however slowly the tests run.
        start = now - dt.timedelta(minutes=15) + dt.timedelta(minutes=n)
        turn_ids.append(_turn(client, project, support, start, history=list(history), question=question, answer=answer))
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    refund_start, old_start = now - dt.timedelta(minutes=10), now - dt.timedelta(days=3)
    _turn(client, project, refund, refund_start, history=[], question="Can I get a refund?", answer="Yes, in 30 days.")
    _turn(client, project, old, old_start, history=[], question="Is the API down?", answer="No, all systems are up.")
    client.flush()
    # Ingestion is asynchronous: the project exists once its first run is written.
    found = wait_for(lambda: tenant.client.get("/sessions", params={"name": project}).json(), what="the project")
    project_id = found[0]["id"]

    def listed() -> bool:
        body = tenant.client.get(f"/sessions/{project_id}/threads").json()
        return body.get("total") == 3 and sorted(t["turn_count"] for t in body["threads"]) == [1, 1, 3]

    wait_for(listed, what="the three threads")
    yield {
        "email": email,
        "workspace_id": tenant.workspace_id,
        "project_id": project_id,
        "support": support,
        "refund": refund,
        "old": old,
        "last_turn_id": turn_ids[-1],
    }
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, stack: NativeStack, workspace: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """A logged-in tab 1280 px wide; console errors fail the test; a screenshot is saved at the end."""
    with logged_in_tab(browser, stack, workspace["email"], f"threads_{request.node.name}", clipboard=True) as tab:
        yield tab


def threads_url(workspace: dict[str, Any], thread: str | None = None) -> str:
    base = f"/o/{workspace['workspace_id']}/projects/p/{workspace['project_id']}/threads"
    return f"{base}/{thread}" if thread else base


def thread_rows(tab: Any) -> Any:
    return tab.locator("main table.threads-table tbody tr")


def test_a_turn_shows_the_new_question_and_the_answer_as_chat(page: Any, workspace: dict[str, Any]) -> None:
    page.goto(threads_url(workspace))
    page.get_by_role("link", name=workspace["support"], exact=True).click()
    expect(page.locator(".thread-title")).to_contain_text(workspace["support"])
    turns = page.get_by_role("article")
    expect(turns).to_have_count(3)
    last = page.get_by_role("article", name="Turn 3")
    # Only the newest user message, not the four history messages the input also carries.
    user = last.locator(".turn-user .chat-msg")
    expect(user).to_have_count(1)
    expect(user).to_contain_text(QUESTIONS[2])
    expect(last.locator(".turn-user")).not_to_contain_text(QUESTIONS[0])
    reply = last.locator(".turn-assistant .chat-msg")
    expect(reply).to_have_count(1)
    expect(reply.locator("strong")).to_have_text("Settings → API keys")  # markdown, not asterisks
    expect(last.get_by_role("region")).to_have_count(0)
    shot_both_widths(page, "threads_turns")
    # The earlier messages of the input, then the raw input object, each one click away.
    last.get_by_role("button", name="Show the 4 earlier messages of this input").click()
    expect(last.locator(".turn-user .chat-msg")).to_have_count(5)
    last.get_by_role("button", name="Show turn 3 as raw JSON").click()
    expect(last.locator(".chat-msg")).to_have_count(0)
    raw_input = last.get_by_role("region", name="Turn 3 input")
    expect(raw_input).to_contain_text("history")
    expect(raw_input).to_contain_text(QUESTIONS[0])
    expect(last.get_by_role("region", name="Turn 3 output")).to_contain_text("answer")
    shot(page, "threads_turn_raw")
    assert not axe_problems(page)
    # And back.
    last.get_by_role("button", name="Show turn 3 as raw JSON").click()
    expect(last.locator(".turn-assistant .chat-msg")).to_have_count(1)


def test_the_trace_of_a_turn_renders_chat_and_keeps_line_breaks(page: Any, workspace: dict[str, Any]) -> None:
    page.goto(threads_url(workspace, workspace["support"]))
    page.get_by_role("link", name="Open the trace of turn 3").click()
    # The root chain run's {history, question} input is a conversation, not raw JSON.
    inputs = page.locator(".runio").filter(has=page.get_by_role("heading", name="Input", exact=True))
    expect(inputs.locator(".chat-msg")).to_have_count(5)
    expect(inputs.locator(".chat-msg").last).to_contain_text(QUESTIONS[2])
    outputs = page.locator(".runio").filter(has=page.get_by_role("heading", name="Output", exact=True))
    expect(outputs.locator(".chat-msg.role-assistant")).to_contain_text("create a new key")
    inputs.get_by_role("button", name="Show input as raw JSON").click()
    expect(inputs.locator(".json-view")).to_contain_text("history")
    # The LLM call: its system prompt keeps its three lines.
    page.get_by_role("tree").get_by_role("treeitem", name=re.compile("ChatOpenAI")).click()
    system = page.locator(".chat-msg.role-system")
    expect(system).to_have_count(1)
    expect(system.locator(".md p")).to_have_count(1)
    expect(system.locator(".md p br")).to_have_count(2)
    lines = system.locator(".md p").inner_text().split("\n")
    assert lines == SYSTEM_PROMPT.split("\n"), lines
    shot_both_widths(page, "threads_trace_llm")


def test_search_time_range_and_copy_narrow_and_name_threads(page: Any, workspace: dict[str, Any]) -> None:
    page.goto(threads_url(workspace))
    rows = thread_rows(page)
    expect(rows).to_have_count(3)
    # Whole ids (no ellipsis), each with a copy button that copies it.
    support_link = page.get_by_role("link", name=workspace["support"], exact=True)
    expect(support_link).to_have_text(workspace["support"])
    copy = page.get_by_role("button", name=f"Copy thread id {workspace['support']}")
    copy.click()
    wait_for(lambda: page.evaluate("navigator.clipboard.readText()") == workspace["support"], what="the copied id")
    expect(page).to_have_url(re.compile(r"/threads$"))  # copying did not open the thread
    shot_both_widths(page, "threads_list")
    assert not axe_problems(page)

    # Search: by the text of a turn, then by a thread id.
    search = page.get_by_role("searchbox", name="Search threads by id or message text")
    search.fill("refund")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(workspace["refund"])
    expect(page).to_have_url(re.compile(r"[?&]q=refund"))
    search.fill(workspace["old"][:20])
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(workspace["old"])
    search.fill("no thread says this")
    expect(page.get_by_text("No threads match “no thread says this”")).to_be_visible()
    page.get_by_role("button", name="Clear search").click()
    expect(rows).to_have_count(3)

    # Time range: the three-day-old thread is outside the last 24 hours, inside the last 7 days.
    page.get_by_role("group", name="Time range").get_by_role("button", name="24h").click()
    expect(rows).to_have_count(2)
    expect(page.locator("main table.threads-table")).not_to_contain_text(workspace["old"])
    shot(page, "threads_list_24h")
    page.get_by_role("group", name="Time range").get_by_role("button", name="7d").click()
    expect(rows).to_have_count(3)
    page.get_by_role("group", name="Time range").get_by_role("button", name="1h").click()
    expect(rows).to_have_count(2)
    # Both: the refund thread is inside the hour, the support one does not mention refunds.
    search.fill("refund")
    expect(rows).to_have_count(1)
    page.get_by_role("group", name="Time range").get_by_role("button", name="All", exact=True).click()
    expect(rows).to_have_count(1)
    expect(page).not_to_have_url(re.compile(r"range="))
