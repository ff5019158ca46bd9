"""Annotation queues and config-shaped feedback in a real browser, against the real stack.

A fresh workspace per module, seeded through the official SDK: a few runs, a queue with a rubric.
A person reviews the queue by keyboard, sends runs to a queue from the runs table, and scores a run
with a key whose feedback config makes the form categories or a bounded number. What the UI stored
is read back through the SDK. Screenshots land in test-artifacts/ui/ as in test_ui_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from langsmith import Client
from langsmith.utils import LangSmithError

from tests.support.ingest_helpers import wait_for
from tests.ui.test_ui_browser import PASSWORD, axe_problems, chromium, expect, logged_in_tab, new_tenant, shot
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def workspace(stack: NativeStack) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"aq-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    # auto_batch_tracing off: each run is posted at once, so the waits below are short.
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key, auto_batch_tracing=False)
    yield {"email": email, "tenant": tenant, "client": client, "workspace_id": tenant.workspace_id}
    tenant.client.close()


def make_runs(client: Client, names: list[str]) -> tuple[str, list[str]]:
    """Root runs in a fresh project, read back; returns the project id and the run ids."""
    project = f"aq-ui-{uuid.uuid4().hex[:8]}"
    ids = [str(uuid.uuid4()) for _ in names]
    now = dt.datetime.now(dt.UTC)
    for n, (name, run_id) in enumerate(zip(names, ids, strict=True)):
        client.create_run(
            name=name,
            inputs={"question": f"question {n}"},
            outputs={"answer": f"answer {n}"},
            run_type="chain",
            project_name=project,
            start_time=now + dt.timedelta(seconds=n),
            end_time=now + dt.timedelta(seconds=n, milliseconds=300),
            id=run_id,
        )

    def readable(run_id: str) -> bool:
        try:
            client.read_run(run_id)
        except LangSmithError:
            return False
        return True

    for run_id in ids:
        wait_for(lambda r=run_id: readable(r), what=f"run {run_id}")
    return str(client.read_project(project_name=project).id), ids


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, stack: NativeStack, workspace: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """A logged-in tab; console errors (other than failed requests the page handles) fail the test."""
    with logged_in_tab(browser, stack, workspace["email"], request.node.name, width=1400) as tab:
        yield tab


def feedback_of(client: Client, run_id: str) -> dict[str, tuple[Any, Any]]:
    return {f.key: (f.score, f.value) for f in client.list_feedback(run_ids=[run_id])}


def test_review_a_queue_by_keyboard(page: Any, workspace: dict[str, Any]) -> None:
    client: Client = workspace["client"]
    _, (first, second) = make_runs(client, ["triage-first", "triage-second"])
    queue = client.create_annotation_queue(
        name=f"weekly-triage-{uuid.uuid4().hex[:6]}",
        description="the week's escalations",
        rubric_instructions="Judge correctness first, then helpfulness.",
        rubric_items=[
            {"feedback_key": "correctness", "score_descriptions": {"0": "wrong", "1": "right"}, "is_required": True},
            {"feedback_key": "helpfulness", "description": "0 to 1"},
        ],
    )
    client.add_runs_to_annotation_queue(queue.id, run_ids=[first, second])

    page.goto(f"/o/{workspace['workspace_id']}/queues")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=queue.name))
    expect(row).to_contain_text("0 / 2")
    row.get_by_role("link", name=queue.name).click()

    # The first run: its trace (the trace view's own tree), the instructions, the progress.
    expect(page.get_by_role("tree").get_by_role("treeitem", name=re.compile("triage-first"))).to_be_visible()
    expect(page.get_by_text("Judge correctness first, then helpfulness.")).to_be_visible()
    progress = page.get_by_role("status", name="Progress")
    expect(progress).to_contain_text("2 remaining")
    # By keyboard only: the first key has the focus; 2 picks its second score, Tab moves on, Enter saves.
    correctness = page.get_by_role("radiogroup", name="correctness")
    expect(correctness.get_by_role("radio").first).to_be_focused()
    page.keyboard.press("2")
    expect(correctness.get_by_role("radio", name=re.compile("1"))).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Tab")
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    expect(page.get_by_text("2 of 2 keys saved")).to_be_visible()
    shot(page, "queue_review_first")
    page.get_by_role("button", name="Done").click()

    # Done moved on to the second run; the progress followed.
    expect(page.get_by_role("tree").get_by_role("treeitem", name=re.compile("triage-second"))).to_be_visible()
    expect(progress).to_contain_text("1 remaining")
    expect(page.get_by_role("radiogroup", name="correctness").get_by_role("radio").first).to_be_focused()
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")  # saves and marks done in one go
    expect(page.get_by_text("All done")).to_be_visible()
    expect(progress).to_contain_text("0 remaining")
    shot(page, "queue_review_done")

    # What the SDK sees: the scores as feedback on each run, and the queue fully reviewed.
    assert feedback_of(client, first) == {"correctness": (1, None), "helpfulness": (0.5, None)}
    assert feedback_of(client, second) == {"correctness": (0, None)}
    reviewed = list(client.list_runs_from_annotation_queue(queue.id))
    assert {str(r.id) for r in reviewed} == {first, second}
    completed = workspace["tenant"].client.get(f"/annotation-queues/{queue.id}/size", params={"status": "completed"})
    assert completed.json() == {"size": 2}
    # Sent back for review: the scores given before are shown, and saving again updates them.
    item = f"/annotation-queues/{queue.id}/runs/{first}"
    back = workspace["tenant"].client.patch(item, json={"status": "needs_review"})
    assert back.status_code == 200, back.text
    page.reload()
    correctness = page.get_by_role("radiogroup", name="correctness")
    expect(correctness.get_by_role("radio", name=re.compile("1"))).to_have_attribute("aria-checked", "true")
    expect(page.get_by_label("helpfulness")).to_have_value("0.5")
    page.get_by_label("helpfulness").fill("0.75")
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_text("All done")).to_be_visible()
    assert feedback_of(client, first) == {"correctness": (1, None), "helpfulness": (0.75, None)}
    page.get_by_role("link", name="Annotation queues", exact=True).first.click()
    expect(page.get_by_role("row").filter(has=page.get_by_role("link", name=queue.name))).to_contain_text("2 / 2")


def test_send_two_runs_to_a_queue_from_the_runs_table(page: Any, workspace: dict[str, Any]) -> None:
    client: Client = workspace["client"]
    project_id, ids = make_runs(client, ["pick-a", "pick-b", "pick-c"])
    queue = client.create_annotation_queue(name=f"inbox-{uuid.uuid4().hex[:6]}")
    page.goto(f"/o/{workspace['workspace_id']}/projects/p/{project_id}")
    page.get_by_label("Select run pick-a").check()
    page.get_by_label("Select run pick-c").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    page.get_by_role("button", name="Add to annotation queue").click()
    dialog = page.get_by_role("dialog", name="Add to annotation queue")
    dialog.get_by_label("Queue").select_option(label=f"{queue.name} (0 to review)")
    dialog.get_by_role("button", name="Add 2 runs").click()
    expect(page.get_by_role("dialog").get_by_role("status")).to_contain_text(f"Added 2 runs to {queue.name}")
    shot(page, "queue_added_from_runs")
    queued = {str(r.id) for r in client.list_runs_from_annotation_queue(queue.id)}
    assert queued == {ids[0], ids[2]}
    # From the trace view: the current run goes to the same queue; already queued runs stay put.
    page.get_by_role("dialog").get_by_role("button", name="Close", exact=True).last.click()
    page.goto(f"/o/{workspace['workspace_id']}/projects/p/{project_id}/r/{ids[1]}")
    page.get_by_role("button", name="Add to annotation queue").click()
    dialog = page.get_by_role("dialog", name="Add to annotation queue")
    dialog.get_by_label("Queue").select_option(label=f"{queue.name} (2 to review)")
    dialog.get_by_role("button", name="Add 1 run").click()
    expect(page.get_by_role("dialog").get_by_role("status")).to_contain_text("Added 1 run")
    assert [str(r.id) for r in client.list_runs_from_annotation_queue(queue.id)] == [ids[0], ids[2], ids[1]]


CONFIGS: dict[str, Any] = {
    "verdict": {
        "type": "categorical",
        "categories": [{"value": 0, "label": "reject"}, {"value": 1, "label": "accept"}],
    },
    "quality": {"type": "continuous", "min": 1, "max": 5},
    "notes": {"type": "freeform"},
}


def test_feedback_form_takes_the_shape_of_the_keys_config(page: Any, workspace: dict[str, Any]) -> None:
    client: Client = workspace["client"]
    for key, config in CONFIGS.items():
        client.create_feedback_config(key, feedback_config=config)
    project_id, (run_id,) = make_runs(client, ["configured"])
    page.goto(f"/o/{workspace['workspace_id']}/projects/p/{project_id}/r/{run_id}")
    page.get_by_role("tab", name="Feedback").click()
    form = page.get_by_role("form", name="Add feedback")

    # Categorical: the categories as buttons, picked with a number key; Enter adds.
    form.get_by_label("Key").fill("verdict")
    categories = form.get_by_role("radiogroup", name="Category")
    expect(categories.get_by_role("radio")).to_have_count(2)
    categories.get_by_role("radio").first.focus()
    page.keyboard.press("2")
    expect(categories.get_by_role("radio", name=re.compile("accept"))).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Feedback")).to_contain_text("verdict")
    shot(page, "feedback_config_categorical")

    # Continuous: a number within the config's range; outside it, the form says which bound.
    form.get_by_label("Key").fill("quality")
    score = form.get_by_label(re.compile(r"^Score"))
    expect(form).to_contain_text("(1\u20135)")  # the range, with an en dash
    score.fill("9")
    form.get_by_role("button", name="Add feedback").click()
    expect(form.get_by_role("alert")).to_contain_text("at most 5")
    score.fill("4")
    form.get_by_role("button", name="Add feedback").click()
    expect(page.get_by_role("list", name="Feedback")).to_contain_text("quality")

    # Freeform: free text, stored as the value.
    form.get_by_label("Key").fill("notes")
    form.get_by_label("Value").fill("cites the old refund policy")
    form.get_by_role("button", name="Add feedback").click()
    expect(page.get_by_role("list", name="Feedback")).to_contain_text("notes")
    shot(page, "feedback_config_all")

    stored = wait_for(lambda: f if len(f := feedback_of(client, run_id)) == 3 else None, what="three feedbacks")
    assert stored == {"verdict": (1, "accept"), "quality": (4, None), "notes": (None, "cites the old refund policy")}


def test_queue_pages_pass_axe_accessibility_checks(page: Any, workspace: dict[str, Any]) -> None:
    """axe-core's WCAG 2 A/AA rules on the queue list and the review page (as test_ui_browser.py does for the rest)."""
    client: Client = workspace["client"]
    _, (run_id,) = make_runs(client, ["axe-run"])
    queue = client.create_annotation_queue(
        name=f"axe-{uuid.uuid4().hex[:6]}",
        rubric_instructions="Be fair.",
        rubric_items=[
            {"feedback_key": "correctness", "value_descriptions": {"yes": "right", "no": "wrong"}},
            {"feedback_key": "score"},
        ],
    )
    client.add_runs_to_annotation_queue(queue.id, run_ids=[run_id])
    ws = workspace["workspace_id"]
    for path, text in ((f"/o/{ws}/queues", queue.name), (f"/o/{ws}/queues/{queue.id}", "Be fair.")):
        page.goto(path)
        expect(page.get_by_text(text).first).to_be_visible()
        problems = axe_problems(page)
        assert not problems, f"{path}:\n" + "\n".join(problems)
