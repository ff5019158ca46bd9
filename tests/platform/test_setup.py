"""The one-time setup link: from a fresh install (no account at all) to a logged-in first admin.

`migrate` makes the token and logs the link; GET/POST /api/v1/setup spend it through nginx; the
login page points at it; a browser follows it. The session stack has accounts as soon as any other
test makes one, so whatever needs an install without accounts brings its own: a scratch database
for `migrate`'s part, and for the API and the browser a second stack started once for this module
and emptied of accounts (with a new token) before each test.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg
import pytest
import redis
from psycopg.rows import dict_row

from app.core.settings import PlatformSettings, PublicUrlSettings, load_settings
from app.core.tenancy import users
from app.migrate.bootstrap import announce_setup_link
from app.migrate.postgres import apply_postgres
from tests.conftest import python_module
from tooling.runner.stack import NativeStack, temporary_stack
from tooling.runner.system import ensure_system_packages

pytestmark = pytest.mark.stack
PASSWORD = "first-admin-password"
PUBLIC = "https://tracehouse.example.com"
T = TypeVar("T")


def in_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run off this thread: Playwright's sync API keeps a loop running in it."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def issue(dsn: str, public_url: str = PUBLIC) -> list[str]:
    """What one `migrate` start announces: the setup link, or nothing once an account exists."""
    links: list[str] = []
    in_thread(lambda: announce_setup_link(dsn, PublicUrlSettings(public_url=public_url), links.append))
    return links


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def pending(dsn: str) -> list[dict[str, Any]]:
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        return conn.execute("SELECT * FROM setup_token").fetchall()


def add_account(dsn: str) -> None:
    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn:
            await users.ensure_user(conn, f"{uuid.uuid4().hex[:8]}@example.com", PASSWORD)
            await conn.commit()

    in_thread(run)


# --- migrate, on a scratch database of the session stack ----------------------------------------


@pytest.fixture
def scratch_pg(stack_env: dict[str, str]) -> Iterator[str]:
    dsn = stack_env["POSTGRES_DSN"]
    name = f"setup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # generated identifier, not user input
    scratch = dsn.rsplit("/", 1)[0] + "/" + name
    apply_postgres(scratch)
    yield scratch
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_migrate_makes_a_token_only_while_no_account_exists(scratch_pg: str) -> None:
    [first] = issue(scratch_pg)
    assert first.startswith(f"{PUBLIC}/setup?token=")
    token = token_of(first)
    assert len(base64.urlsafe_b64decode(token + "==")) >= 16  # at least 128 bits
    [row] = pending(scratch_pg)
    # Only its hash is stored: the table alone opens nothing.
    assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
    assert token not in repr(row) and token.encode() not in bytes(row["token_hash"])

    # Every start without an account replaces it: only the latest link works.
    [second] = issue(scratch_pg)
    assert token_of(second) != token
    [row] = pending(scratch_pg)
    assert bytes(row["token_hash"]) == hashlib.sha256(token_of(second).encode()).digest()

    # Once an account exists, a start announces nothing and the pending token is gone.
    add_account(scratch_pg)
    assert issue(scratch_pg) == []
    assert pending(scratch_pg) == []


def test_concurrent_starts_leave_the_last_announced_link_working(scratch_pg: str) -> None:
    links: list[str] = []

    async def starts() -> None:
        public = PublicUrlSettings(public_url=PUBLIC)
        await asyncio.gather(*(announce_setup_link(scratch_pg, public, links.append) for _ in range(4)))

    in_thread(starts)
    assert len(links) == 4 and len({token_of(link) for link in links}) == 4  # each start logged its own
    [row] = pending(scratch_pg)
    assert bytes(row["token_hash"]) == hashlib.sha256(token_of(links[-1]).encode()).digest()


def test_migrate_logs_the_link_until_an_admin_exists(scratch_pg: str, stack_env: dict[str, str]) -> None:
    env = {**stack_env, "POSTGRES_DSN": scratch_pg, "PUBLIC_URL": PUBLIC, "LOG_LEVEL": "error"}
    first = python_module("app.migrate", env=env)
    assert first.returncode == 0, first.stderr
    # Shown even though LOG_LEVEL hides warnings: without it nobody can log in.
    [line] = [line for line in first.stderr.splitlines() if "/setup?token=" in line]
    assert "WARNING migrate [-] tracehouse.migrate.setup: First start: no account exists yet." in line
    assert f" Open {PUBLIC}/setup?token=" in line and "to create the first admin (the link works once" in line
    found = re.search(r"token=([A-Za-z0-9_-]+)", line)
    assert found is not None
    token = found.group(1)
    assert bytes(pending(scratch_pg)[0]["token_hash"]) == hashlib.sha256(token.encode()).digest()

    # INITIAL_ADMIN_* made the account: no link, and the one logged before stops working.
    admin = {"INITIAL_ADMIN_EMAIL": "root@example.com", "INITIAL_ADMIN_PASSWORD": PASSWORD}
    second = python_module("app.migrate", env={**env, **admin, "LOG_LEVEL": "info"})
    assert second.returncode == 0, second.stderr
    assert "setup" not in second.stderr and pending(scratch_pg) == []


# --- the API and the UI, on a stack of their own ------------------------------------------------


@pytest.fixture(scope="module")
def fresh_stack() -> Iterator[NativeStack]:
    ensure_system_packages(quiet=True, for_tests=True)
    with temporary_stack("tracehouse-setup-") as stack:
        yield stack


@pytest.fixture
def fresh_install(fresh_stack: NativeStack) -> str:
    """No account (whatever an earlier test made is gone), no throttle counts, and a new setup
    token, as after a first start; returns the token."""
    env = fresh_stack.env()
    with psycopg.connect(env["POSTGRES_DSN"], autocommit=True) as conn:
        conn.execute("DELETE FROM users")
    client = redis.Redis.from_url(env["REDIS_URL"])
    try:
        stale = [*client.scan_iter("th:setup:*"), *client.scan_iter("th:login:*"), *client.scan_iter("th:session:*")]
        if stale:
            client.delete(*stale)
    finally:
        client.close()
    [link] = issue(env["POSTGRES_DSN"], fresh_stack.url)
    return token_of(link)


def api(stack: NativeStack, address: str = "127.0.0.1") -> httpx.Client:
    """A client of the API through nginx, from a loopback address of its own when the test counts
    failures (they are throttled per address)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=f"{stack.url}/api/v1", transport=transport, timeout=60)


def body(token: str, *, email: str | None = None, password: str = PASSWORD, name: str = "") -> dict[str, str]:
    email = email or f"admin-{uuid.uuid4().hex[:8]}@example.com"
    return {"token": token, "email": email, "name": name, "password": password}


def account_count(stack: NativeStack) -> int:
    with psycopg.connect(stack.env()["POSTGRES_DSN"]) as conn:
        row = conn.execute("SELECT count(*) FROM users").fetchone()
    assert row is not None
    return int(row[0])


def test_up_found_the_link_migrate_logged(fresh_stack: NativeStack) -> None:
    # What the start saw (the runner prints it): no account yet, and this start's link on its URL.
    assert fresh_stack.needs_setup
    assert fresh_stack.setup_link is not None and fresh_stack.setup_link.startswith(f"{fresh_stack.url}/setup?token=")


def test_refusals_leave_the_token_usable(fresh_stack: NativeStack, fresh_install: str) -> None:
    token = fresh_install
    with api(fresh_stack, "127.0.0.61") as client:
        assert client.get("/setup").json() == {"needs_setup": True}
        wrong = client.post("/setup", json=body(secrets.token_urlsafe(32)))
        assert wrong.status_code == 403 and wrong.json()["error"] == "invalid_setup_token"
        assert "docker compose logs migrate" in wrong.json()["detail"]
        weak = client.post("/setup", json=body(token, password="too-short"))
        assert weak.status_code == 400 and "at least 12 characters" in weak.json()["detail"]
        not_an_address = client.post("/setup", json=body(token, email="nobody"))
        assert not_an_address.status_code == 400
        # Only a JSON request, which another site's form cannot send.
        as_form = client.post("/setup", content=json.dumps(body(token)), headers={"content-type": "text/plain"})
        assert as_form.status_code == 400
        for refused in (wrong, weak, not_an_address, as_form):
            assert "set-cookie" not in refused.headers
            assert token not in refused.text and "SELECT" not in refused.text and "Traceback" not in refused.text
        assert account_count(fresh_stack) == 0
        assert client.post("/setup", json=body(token)).status_code == 201


def test_setup_makes_the_first_admin_and_logs_them_in(fresh_stack: NativeStack, fresh_install: str) -> None:
    token = fresh_install
    email = f"first-{uuid.uuid4().hex[:8]}@example.com"
    with api(fresh_stack) as browser:
        done = browser.post("/setup", json=body(token, email=email, name="First Admin"))
        assert done.status_code == 201, done.text
        answer = done.json()
        assert set(answer) == {"user_id", "email", "csrf_token"} and answer["email"] == email  # login's shape
        assert token not in done.text
        cookies = {c.split("=", 1)[0]: c.lower() for c in done.headers.get_list("set-cookie")}
        assert "httponly" in cookies["th_session"] and "samesite=strict" in cookies["th_csrf"]

        me = browser.get("/auth/me").json()
        assert me["user"]["email"] == email and me["user"]["display_name"] == "First Admin"
        assert me["role"] == "admin" and [w["name"] for w in me["workspaces"]] == ["default"]
        csrf = {"x-csrf-token": answer["csrf_token"]}
        assert browser.post("/sessions", json={"name": "first-project"}, headers=csrf).status_code == 200
        assert browser.post("/api-key", json={"name": "ci"}, headers=csrf).status_code == 201  # an admin's

        assert browser.get("/setup").json() == {"needs_setup": False}
        again = browser.post("/setup", json=body(token))  # the token was spent
        assert again.status_code == 409 and again.json()["error"] == "already_set_up"
    assert account_count(fresh_stack) == 1 and pending(fresh_stack.env()["POSTGRES_DSN"]) == []
    with api(fresh_stack) as later:
        assert later.post("/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200
    # An operator's account, like INITIAL_ADMIN_*: no organization manages its password.
    with psycopg.connect(fresh_stack.env()["POSTGRES_DSN"]) as conn:
        assert conn.execute("SELECT organization_id FROM users").fetchone() == (None,)


def test_concurrent_setups_have_one_winner(fresh_stack: NativeStack, fresh_install: str) -> None:
    token = fresh_install

    def attempt(i: int) -> int:
        # Each from its own address: concurrent attempts from one address also hold its throttle
        # reservations (six at once from one address would see a 429).
        with api(fresh_stack, f"127.0.0.{70 + i}") as client:
            return client.post("/setup", json=body(token, email=f"racer-{i}@example.com")).status_code

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(attempt, range(6)))
    assert statuses == [201, 409, 409, 409, 409, 409]
    assert account_count(fresh_stack) == 1


def test_a_new_start_replaces_the_link(fresh_stack: NativeStack, fresh_install: str) -> None:
    [newer] = issue(fresh_stack.env()["POSTGRES_DSN"], fresh_stack.url)
    with api(fresh_stack, "127.0.0.62") as client:
        assert client.post("/setup", json=body(fresh_install)).status_code == 403
        assert client.post("/setup", json=body(token_of(newer))).status_code == 201


def test_wrong_tokens_are_throttled_per_address(fresh_stack: NativeStack, fresh_install: str) -> None:
    limit = load_settings(PlatformSettings, fresh_stack.env()).auth.login_max_failures
    with api(fresh_stack, "127.0.0.63") as guesser:
        statuses = [guesser.post("/setup", json=body(secrets.token_urlsafe(32))).status_code for _ in range(limit + 1)]
        assert statuses == [403] * limit + [429]
        refused = guesser.post("/setup", json=body(fresh_install))  # even the right token waits here
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert guesser.get("/setup").json() == {"needs_setup": True}
    with api(fresh_stack, "127.0.0.64") as operator:  # the guesser's address only
        assert operator.post("/setup", json=body(fresh_install)).status_code == 201
    platform_log = (fresh_stack.data_dir / "logs" / "platform.log").read_text(errors="replace")
    assert "wrong setup token from 127.0.0.63" in platform_log


def test_the_token_reaches_no_log(fresh_stack: NativeStack, fresh_install: str) -> None:
    token = fresh_install
    page = httpx.get(f"{fresh_stack.url}/setup?token={token}", timeout=30)  # what opening the link requests
    assert page.status_code == 200 and "<div id=" in page.text
    with api(fresh_stack, "127.0.0.65") as client:
        assert client.post("/setup", json=body(token + "x")).status_code == 403
        assert client.post("/setup", json=body(token)).status_code == 201
    logs = {p.name: p.read_text(errors="replace") for p in (fresh_stack.data_dir / "logs").glob("*.log")}
    assert not [name for name, text in logs.items() if token in text]
    assert "/setup?token=(hidden)" in logs["nginx-access.log"]


def test_a_fresh_install_leads_a_person_to_a_logged_in_ui(fresh_stack: NativeStack, fresh_install: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.ui.test_ui_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=fresh_stack.url).new_page()
            tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
            tab.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
            # Nobody to log in as yet: the login page says where the first account comes from.
            tab.goto("/")
            tab.wait_for_url(re.compile(r"/login"))
            hint = tab.get_by_role("note")
            sync_api.expect(hint).to_contain_text("This installation has no accounts yet")
            sync_api.expect(hint).to_contain_text("docker compose logs migrate")
            sync_api.expect(hint).to_contain_text("./tracehouse user create")
            tab.screenshot(path=str(ARTIFACTS / "setup_login_hint.png"), full_page=True)

            tab.goto(f"/setup?token={fresh_install}")
            sync_api.expect(tab.get_by_role("heading", name="Create the first admin")).to_be_visible()
            sync_api.expect(tab.get_by_label("Setup token")).to_have_count(0)  # the link carries it
            tab.get_by_label("Email").fill(email)
            tab.get_by_label("Your name").fill("First Admin")
            tab.get_by_label("Password", exact=True).fill(PASSWORD)
            tab.get_by_label("Repeat password").fill(PASSWORD + "!")
            tab.get_by_role("button", name="Create admin and log in").click()
            sync_api.expect(tab.get_by_role("alert")).to_contain_text("differ")
            tab.get_by_label("Repeat password").fill(PASSWORD)
            tab.screenshot(path=str(ARTIFACTS / "setup_form.png"), full_page=True)
            tab.get_by_role("button", name="Create admin and log in").click()

            tab.wait_for_url(re.compile(r"/o/[0-9a-f-]+/projects$"))
            sync_api.expect(tab.get_by_title(email)).to_contain_text("First Admin")  # the sidebar names who is in
            tab.screenshot(path=str(ARTIFACTS / "setup_logged_in.png"), full_page=True)
            # Set up now: the link's page says so instead of offering the form again.
            tab.context.clear_cookies()
            tab.goto(f"/setup?token={fresh_install}")
            sync_api.expect(tab.get_by_role("heading", name="Already set up")).to_be_visible()
        finally:
            browser.close()
    # The browser logs the 401 of the logged-out /auth/me checks; anything else is the page's fault.
    assert not [e for e in errors if "Failed to load resource" not in e], errors
    assert account_count(fresh_stack) == 1
