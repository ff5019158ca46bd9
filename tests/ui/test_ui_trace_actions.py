"""Run actions in the trace view, in a real browser against the real stack.

A fresh workspace per module, seeded through the official SDK: a trace whose chat LLM call records
its model and parameters, a trace that failed with a real Python traceback (recorded by
`@traceable`), a dataset, an annotation queue and a playground provider pointing at the test model
server. From the selected run a person shares the trace (and revokes it), saves the run to a
dataset with edited values, opens the LLM call in the playground and runs it, sends it to a queue
and copies its id and address. Every result is read back through the SDK or the public API.
Screenshots land in test-artifacts/ui/ as in test_ui_browser.py, at 1280 and 1920 px wide.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from langsmith import Client, traceable, tracing_context
from langsmith.run_trees import RunTree
from langsmith.utils import LangSmithError

from tests.support.ingest_helpers import wait_for
from tests.support.model_server import ModelServer
from tests.ui.test_ui_browser import PASSWORD, axe_problems, chromium, expect, logged_in_tab, new_tenant, shot
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")

SYSTEM = "You are a terse math tutor. Use {braces} literally."
QUESTION = "What is 2 + 2?"
ERROR_MESSAGE = "upstream returned 429"


class RateLimitError(Exception):
    """Raised by the seeded flaky call, so its traceback is a real one."""


def _readable(client: Client, run_id: str) -> bool:
    try:
        client.read_run(run_id)
    except LangSmithError:
        return False
    return True


def _seed_llm_trace(client: Client, project: str) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    root = RunTree(
        name="answer_question",
        run_type="chain",
        inputs={"question": QUESTION},
        start_time=now,
        project_name=project,
        ls_client=client,
    )
    llm = root.create_child(
        name="ChatOpenAI",
        run_type="llm",
        inputs={"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]},
        start_time=now + dt.timedelta(milliseconds=10),
        extra={
            "metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"},
            "invocation_params": {"model": "gpt-4o-mini", "temperature": 0.3, "max_tokens": 128},
        },
    )
    llm.end(
        outputs={"messages": [{"role": "assistant", "content": "4"}]}, end_time=now + dt.timedelta(milliseconds=400)
    )
    root.end(outputs={"answer": "4"}, end_time=now + dt.timedelta(milliseconds=450))
    root.post()
    llm.post()
    return {"root_id": str(root.id), "llm_id": str(llm.id), "trace_id": str(root.trace_id)}


def _seed_error_trace(client: Client, project: str) -> str:
    run_id = str(uuid.uuid4())

    @traceable(run_type="chain", name="flaky_call")
    def flaky_call(question: str) -> str:
        raise RateLimitError(ERROR_MESSAGE)

    with tracing_context(enabled=True, client=client, project_name=project):
        with pytest.raises(RateLimitError):
            flaky_call("anything", langsmith_extra={"run_id": run_id})
    client.flush()
    return run_id


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    with ModelServer(token_delay=0.0) as server:
        yield server


@pytest.fixture(scope="module")
def workspace(stack: NativeStack, model_server: ModelServer) -> Iterator[dict[str, Any]]:
    tenant = new_tenant(stack)
    email = f"ta-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    provider = tenant.client.post(
        "/playground/providers",
        json={
            "name": "local-echo",
            "kind": "openai",
            "base_url": model_server.url.rstrip("/") + "/v1",
            "api_key": "sk-test-openai",
            "default_model": "echo-small",
        },
    )
    assert provider.status_code in (200, 201), provider.text
    # auto_batch_tracing off: each run is posted at once, so the waits below are short.
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key, auto_batch_tracing=False)
    project = f"ta-ui-{uuid.uuid4().hex[:8]}"
    ids = _seed_llm_trace(client, project)
    ids["error_id"] = _seed_error_trace(client, project)
    for run_id in (ids["root_id"], ids["llm_id"], ids["error_id"]):
        wait_for(functools.partial(_readable, client, run_id), what=f"run {run_id}")
    project_id = str(client.read_project(project_name=project).id)
    yield {
        "email": email,
        "tenant": tenant,
        "client": client,
        "workspace_id": tenant.workspace_id,
        "project_id": project_id,
        **ids,
    }
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(workspace: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, stack: NativeStack, workspace: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """A logged-in tab 1280 px wide; console errors (other than failed requests) fail the test."""
    with logged_in_tab(browser, stack, workspace["email"], request.node.name, clipboard=True) as tab:
        yield tab


def trace_path(workspace: dict[str, Any], run_id: str) -> str:
    return f"/o/{workspace['workspace_id']}/projects/p/{workspace['project_id']}/r/{run_id}"


def selected_run(tab: Any) -> Any:
    return tab.get_by_role("region", name="Selected run")


def actions(tab: Any) -> Any:
    return tab.get_by_role("group", name="Run actions")


def open_run(tab: Any, workspace: dict[str, Any], run_id: str, name: str) -> None:
    tab.goto(trace_path(workspace, run_id))
    expect(selected_run(tab).get_by_role("heading", name=name)).to_be_visible()
    # The tree too, so the screenshots show the whole page rather than its loading state.
    expect(tab.get_by_role("tree").get_by_role("treeitem", name=re.compile(name)).first).to_be_visible()


def test_llm_run_header_names_the_model_and_provider(page: Any, workspace: dict[str, Any]) -> None:
    open_run(page, workspace, workspace["llm_id"], "ChatOpenAI")
    header = selected_run(page).locator("header")
    expect(header).to_contain_text("gpt-4o-mini")
    expect(header).to_contain_text("openai")
    # The seeded call recorded no usage: its tokens are unknown (a dash), not a measured 0.
    tokens = selected_run(page).locator(".detail-stat", has=page.locator("dt", has_text="Tokens")).locator("dd")
    expect(tokens).to_have_text("\u2013")
    # A chain run calls no model: no model in its header.
    open_run(page, workspace, workspace["root_id"], "answer_question")
    expect(selected_run(page).locator("header")).not_to_contain_text("gpt-4o-mini")
    expect(actions(page).get_by_role("link", name="Open in playground")).to_have_count(0)


def test_share_a_trace_then_revoke_the_link(
    page: Any, browser: Any, workspace: dict[str, Any], stack: NativeStack
) -> None:
    client: Client = workspace["client"]
    open_run(page, workspace, workspace["llm_id"], "ChatOpenAI")
    actions(page).get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share this trace")
    expect(dialog.get_by_role("status")).to_contain_text("Not shared")
    dialog.get_by_role("button", name="Create public link").click()
    expect(dialog.get_by_role("status")).to_contain_text("Shared")
    link = dialog.get_by_role("textbox", name="Public link").input_value()
    shot(page, "trace_actions_shared")

    # The link is the one the SDK reports for the run (its /public/{token}/r address; the SDK names
    # a local host "localhost", the page its own origin).
    assert client.run_is_shared(workspace["llm_id"])
    sdk_link = client.read_run_shared_link(workspace["llm_id"]) or ""
    assert link == f"{stack.url}{urlparse(sdk_link).path}", (link, sdk_link)
    token = re.search(r"/public/([0-9a-f-]{36})/r$", link)
    assert token, link
    api_link = f"{stack.url}/api/v1/public/{token.group(1)}/run"
    public = httpx.get(api_link, timeout=30)  # no credentials at all
    assert public.status_code == 200, public.text
    assert public.json()["id"] == workspace["llm_id"]

    # Someone without an account opens the link: the trace, read-only, the shared run selected.
    anonymous = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        outsider = anonymous.new_page()
        outsider.goto(link)
        expect(selected_run(outsider).get_by_role("heading", name="ChatOpenAI")).to_be_visible()
        expect(outsider.get_by_role("tree").get_by_role("treeitem", name=re.compile("answer_question"))).to_be_visible()
        expect(selected_run(outsider)).to_contain_text(QUESTION)
        expect(selected_run(outsider).get_by_role("tab", name="Feedback")).to_have_count(0)
        expect(outsider.get_by_role("group", name="Run actions")).to_have_count(0)
        # The rest of the trace is readable too: its root, by the tree.
        outsider.get_by_role("tree").get_by_role("treeitem", name=re.compile("answer_question")).click()
        expect(selected_run(outsider).get_by_role("heading", name="answer_question")).to_be_visible()
        shot(outsider, "trace_actions_public_page")
        problems = axe_problems(outsider)
        assert not problems, "\n".join(problems)

        # Reopened, the dialog says it is shared; stopping revokes the link at once.
        dialog.get_by_role("button", name="Done").click()
        actions(page).get_by_role("button", name="Share").click()
        expect(dialog.get_by_role("textbox", name="Public link")).to_have_value(link)
        dialog.get_by_role("button", name="Stop sharing").click()
        expect(dialog.get_by_role("status")).to_contain_text("Not shared")
        assert not client.run_is_shared(workspace["llm_id"])
        assert httpx.get(api_link, timeout=30).status_code == 404
        outsider.goto(link)
        expect(outsider.get_by_text("This trace is not shared")).to_be_visible()
        shot(outsider, "trace_actions_public_page_revoked")
    finally:
        anonymous.close()

    # A run shared elsewhere (here by the SDK) shows as shared when its dialog opens.
    client.share_run(workspace["root_id"])
    open_run(page, workspace, workspace["root_id"], "answer_question")
    actions(page).get_by_role("button", name="Share").click()
    expect(page.get_by_role("dialog", name="Share this trace").get_by_role("status")).to_contain_text("Shared")


def test_add_a_run_to_a_dataset_with_edited_values(page: Any, workspace: dict[str, Any]) -> None:
    client: Client = workspace["client"]
    dataset = client.create_dataset(f"tutor-golden-{uuid.uuid4().hex[:6]}")
    open_run(page, workspace, workspace["llm_id"], "ChatOpenAI")
    actions(page).get_by_role("button", name="Add to dataset").click()
    dialog = page.get_by_role("dialog", name="Add to dataset")
    dialog.get_by_label("Dataset").select_option(label=dataset.name)
    # Prefilled from the run.
    inputs = dialog.get_by_label("Inputs")
    assert json.loads(inputs.input_value())["messages"][1] == {"role": "user", "content": QUESTION}
    outputs = dialog.get_by_label("Reference outputs")
    assert json.loads(outputs.input_value()) == {"messages": [{"role": "assistant", "content": "4"}]}
    # Invalid JSON is caught before anything is sent.
    inputs.fill('{"question": ')
    expect(dialog.get_by_role("alert")).to_contain_text("Line 1")
    dialog.get_by_role("button", name="Add example").click()
    expect(dialog.get_by_role("button", name="Add example")).to_be_disabled()
    assert list(client.list_examples(dataset_id=dataset.id)) == []
    # Edited, in a new split.
    inputs.fill(json.dumps({"question": "What is 2 + 2, exactly?"}))
    outputs.fill(json.dumps({"answer": "4"}))
    dialog.get_by_label("Split").fill("validation")
    shot(page, "trace_actions_add_to_dataset")
    dialog.get_by_role("button", name="Add example").click()
    done = page.get_by_role("dialog", name="Added to the dataset")
    expect(done.get_by_role("status")).to_contain_text(f"Added this run as an example to {dataset.name}")
    expect(done.get_by_role("link", name="Open the dataset")).to_have_attribute(
        "href", f"/o/{workspace['workspace_id']}/datasets/{dataset.id}"
    )

    (example,) = client.list_examples(dataset_id=dataset.id)
    assert example.inputs == {"question": "What is 2 + 2, exactly?"}
    assert example.outputs == {"answer": "4"}
    assert str(example.source_run_id) == workspace["llm_id"]
    assert (example.metadata or {}).get("dataset_split") == ["validation"]

    # A dataset can be created by name on the way.
    done.get_by_role("button", name="Close", exact=True).last.click()
    actions(page).get_by_role("button", name="Add to dataset").click()
    dialog.get_by_label("Dataset").select_option(label="New dataset…")
    name = f"from-trace-{uuid.uuid4().hex[:6]}"
    dialog.get_by_label("New dataset name").fill(name)
    dialog.get_by_role("button", name="Add example").click()
    expect(page.get_by_role("dialog", name="Added to the dataset").get_by_role("status")).to_contain_text(name)
    (created,) = client.list_examples(dataset_name=name)
    assert str(created.source_run_id) == workspace["llm_id"]
    assert (created.metadata or {}).get("dataset_split") == ["base"]


def test_open_an_llm_run_in_the_playground_and_run_it(
    page: Any, workspace: dict[str, Any], model_server: ModelServer
) -> None:
    open_run(page, workspace, workspace["llm_id"], "ChatOpenAI")
    actions(page).get_by_role("link", name="Open in playground").click()
    page.wait_for_url(re.compile(rf"/playground\?run={workspace['llm_id']}$"))

    def check_loaded() -> None:
        expect(page.get_by_label("Content of message 1 (System)")).to_have_value(
            SYSTEM.replace("{", "{{").replace("}", "}}")
        )
        expect(page.get_by_label("Content of message 2 (User)")).to_have_value(QUESTION)
        expect(page.get_by_label("Model", exact=True)).to_have_value("gpt-4o-mini")
        expect(page.get_by_label("Temperature")).to_have_value("0.3")
        expect(page.get_by_label("Max tokens")).to_have_value("128")
        expect(page.get_by_role("link", name="ChatOpenAI")).to_be_visible()

    check_loaded()
    page.reload()  # the URL alone says which run: a reload (or a shared link) opens it again
    check_loaded()
    shot(page, "trace_actions_playground")

    page.get_by_label("Provider").select_option(label="local-echo")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_label("Model answer")).to_contain_text("echo:")
    sent = [r for r in model_server.requests if QUESTION in json.dumps(r)]
    assert sent, model_server.requests
    body = sent[-1]["body"]
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 128
    assert body["messages"][:2] == [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]


def test_send_to_a_queue_and_copy_the_run_id_and_url(page: Any, workspace: dict[str, Any], stack: NativeStack) -> None:
    client: Client = workspace["client"]
    queue = client.create_annotation_queue(name=f"tutor-review-{uuid.uuid4().hex[:6]}")
    open_run(page, workspace, workspace["llm_id"], "ChatOpenAI")
    actions(page).get_by_role("button", name="Add to annotation queue").click()
    dialog = page.get_by_role("dialog", name="Add to annotation queue")
    dialog.get_by_label("Queue").select_option(label=f"{queue.name} (0 to review)")
    dialog.get_by_role("button", name="Add 1 run").click()
    expect(page.get_by_role("dialog").get_by_role("status")).to_contain_text(f"Added 1 run to {queue.name}")
    assert [str(r.id) for r in client.list_runs_from_annotation_queue(queue.id)] == [workspace["llm_id"]]
    page.get_by_role("dialog").get_by_role("button", name="Close", exact=True).last.click()

    copy_id = actions(page).get_by_role("button", name="Copy run ID")
    copy_id.click()
    expect(copy_id).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == workspace["llm_id"]
    copy_url = actions(page).get_by_role("button", name="Copy trace URL")
    copy_url.click()
    expect(copy_url).to_have_text("Copied")
    url = page.evaluate("() => navigator.clipboard.readText()")
    assert url == f"{stack.url}{trace_path(workspace, workspace['llm_id'])}?trace_id={workspace['trace_id']}"
    # The copied address opens the same run.
    page.goto(url)
    expect(selected_run(page).get_by_role("heading", name="ChatOpenAI")).to_be_visible()


def test_an_error_is_shown_once_with_the_traceback_folded(page: Any, workspace: dict[str, Any]) -> None:
    client: Client = workspace["client"]
    recorded = client.read_run(workspace["error_id"]).error or ""
    # What the SDK records: the repr, then the traceback ending in the message again (which the old
    # panel showed a third time as its summary).
    assert recorded.startswith(f"RateLimitError('{ERROR_MESSAGE}')"), recorded
    assert recorded.count(ERROR_MESSAGE) == 2, recorded
    open_run(page, workspace, workspace["error_id"], "flaky_call")
    error = selected_run(page).get_by_role("region", name="Error")
    # The traceback's own last line (type qualified by its module, as Python prints it).
    expect(error.locator(".detail-error-summary")).to_have_text(
        f"{RateLimitError.__module__}.RateLimitError: {ERROR_MESSAGE}"
    )
    traceback = error.locator("pre")
    expect(traceback).to_be_hidden()
    assert selected_run(page).inner_text().count(ERROR_MESSAGE) == 1
    # The failed call's empty output ({"output": null}) is not shown as if it were an answer.
    expect(selected_run(page).get_by_text("None: the run failed.")).to_be_visible()
    shot(page, "trace_actions_error_folded")
    error.get_by_text("Traceback", exact=True).click()
    expect(traceback).to_be_visible()
    expect(traceback).to_contain_text("Traceback (most recent call last)")
    expect(traceback).to_contain_text("in flaky_call")
    expect(traceback).not_to_contain_text(f"RateLimitError('{ERROR_MESSAGE}')")
    shot(page, "trace_actions_error_open")


@pytest.mark.parametrize("width", [1280, 1920])
def test_actions_layout_and_accessibility(
    browser: Any, stack: NativeStack, workspace: dict[str, Any], width: int
) -> None:
    """Screenshots of the actions bar and its dialogs at both widths; axe finds no serious problem."""
    with logged_in_tab(browser, stack, workspace["email"], f"trace_actions_{width}_end", width=width) as tab:
        open_run(tab, workspace, workspace["llm_id"], "ChatOpenAI")
        bar = actions(tab)
        expect(bar).to_be_visible()
        # The whole bar sits on the header's first lines, inside the detail pane.
        box, pane = bar.bounding_box(), selected_run(tab).bounding_box()
        assert box and pane and box["x"] + box["width"] <= pane["x"] + pane["width"] + 1
        # At most two lines of buttons, even in the narrow pane at 1280 px.
        button = bar.get_by_role("button", name="Share").bounding_box()
        assert button and box["height"] <= 2 * button["height"] + 8, (box, button)
        shot(tab, f"trace_actions_{width}")
        for opener, name in (("Share", "Share this trace"), ("Add to dataset", "Add to dataset")):
            bar.get_by_role("button", name=opener).click()
            dialog = tab.get_by_role("dialog", name=name)
            expect(dialog.get_by_role("button", name="Cancel")).to_be_visible()
            shot(tab, f"trace_actions_{width}_{opener.lower().replace(' ', '_')}")
            problems = axe_problems(tab)
            assert not problems, "\n".join(problems)
            dialog.get_by_role("button", name="Cancel").click()
            expect(dialog).to_be_hidden()


def test_a_viewer_sees_the_share_status_but_no_write_actions(
    browser: Any, stack: NativeStack, workspace: dict[str, Any]
) -> None:
    email = f"ta-viewer-{uuid.uuid4().hex[:8]}@example.com"
    created = workspace["tenant"].client.post("/users", json={"email": email, "password": PASSWORD, "role": "viewer"})
    assert created.status_code == 201, created.text
    with logged_in_tab(browser, stack, email, "trace_actions_viewer_end", clipboard=True) as tab:
        open_run(tab, workspace, workspace["llm_id"], "ChatOpenAI")
        bar = actions(tab)
        expect(bar.get_by_role("link", name="Open in playground")).to_be_visible()
        expect(bar.get_by_role("button", name="Copy run ID")).to_be_visible()
        expect(bar.get_by_role("button", name="Add to dataset")).to_have_count(0)
        expect(bar.get_by_role("button", name="Add to annotation queue")).to_have_count(0)
        bar.get_by_role("button", name="Share").click()
        dialog = tab.get_by_role("dialog", name="Share this trace")
        expect(dialog.get_by_role("status")).to_contain_text("Not shared")
        expect(dialog.get_by_role("button", name="Create public link")).to_have_count(0)
        shot(tab, "trace_actions_viewer")
