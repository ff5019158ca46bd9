"""UI login: sessions, CSRF, roles from membership, rate limits, and no secrets in logs."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from app.core.tenancy import service, users
from tests.conftest import Tenant
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
PASSWORD = "correct horse battery staple"


def make_user(stack: NativeStack, role: str, workspace: str | None = None) -> tuple[str, str]:
    """(email, workspace id) of a new user with `role` in a new (or named) workspace."""

    async def run() -> tuple[str, str]:
        async with await psycopg.AsyncConnection.connect(stack.env()["POSTGRES_DSN"], row_factory=dict_row) as conn:
            org = await service.default_org(conn)
            ws = await service.ensure_workspace(conn, org, workspace or f"ui-{uuid.uuid4().hex[:8]}")
            email = f"{uuid.uuid4().hex[:8]}@example.com"
            user_id = await users.ensure_user(conn, email, PASSWORD)
            await users.add_member(conn, ws.id, user_id, role)
            await conn.commit()
            return email, str(ws.id)

    return asyncio.run(run())


@pytest.fixture
def browser(stack: NativeStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stack.url}/api/v1", timeout=30) as client:
        yield client


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password})


def test_login_session_cookie_and_logout(stack: NativeStack, browser: httpx.Client) -> None:
    email, workspace = make_user(stack, "editor")
    response = login(browser, email)
    assert response.status_code == 200
    cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
    cookie = cookies["th_session"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    csrf = response.json()["csrf_token"]
    # The UI reads the CSRF token from its own cookie (double submit); scripts elsewhere cannot.
    assert cookies["th_csrf"].startswith(f"th_csrf={csrf};") and "httponly" not in cookies["th_csrf"].lower()
    assert "samesite=strict" in cookies["th_csrf"].lower()
    me = browser.get("/auth/me").json()
    assert me["user"]["email"] == email and me["role"] == "editor" and me["workspace_id"] == workspace
    assert me["csrf_token"] == csrf  # after a reload the UI can ask again
    # Reads work with the cookie alone; writes need the CSRF header too.
    assert browser.get("/sessions").status_code == 200
    refused = browser.post("/sessions", json={"name": "via-ui"})
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    assert browser.post("/sessions", json={"name": "via-ui"}, headers={"x-csrf-token": csrf}).status_code == 200
    assert browser.post("/auth/logout").status_code == 200
    assert browser.get("/sessions").status_code == 401
    # The old cookie is dead server-side, not just forgotten by this client.
    stale = httpx.get(f"{stack.url}/api/v1/sessions", cookies={"th_session": cookie.split(";")[0].split("=", 1)[1]})
    assert stale.status_code == 401


def test_login_takes_json_only(stack: NativeStack, browser: httpx.Client) -> None:
    """A form on another site can post text/plain that parses as JSON; it must not log the
    visitor in (into the attacker's account)."""
    email, _ = make_user(stack, "viewer")
    body = json.dumps({"email": email, "password": PASSWORD})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        refused = browser.post("/auth/login", content=body, headers={"content-type": content_type})
        assert refused.status_code == 400, (content_type, refused.text)
        assert "set-cookie" not in refused.headers
    assert login(browser, email).status_code == 200


def test_roles_come_from_membership(stack: NativeStack, browser: httpx.Client) -> None:
    email, _ = make_user(stack, "viewer")
    csrf = login(browser, email).json()["csrf_token"]
    assert browser.get("/sessions").status_code == 200
    denied = browser.post("/sessions", json={"name": "x"}, headers={"x-csrf-token": csrf})
    assert denied.status_code == 403 and denied.json()["error"] == "insufficient_role"
    foreign = browser.get("/sessions", headers={"X-Tenant-Id": str(uuid.uuid4())})
    assert foreign.status_code == 403


def test_admin_creates_users(stack: NativeStack, browser: httpx.Client) -> None:
    email, workspace = make_user(stack, "admin")
    csrf = login(browser, email).json()["csrf_token"]
    new = f"{uuid.uuid4().hex[:8]}@example.com"
    weak = browser.post("/users", json={"email": new, "password": "short"}, headers={"x-csrf-token": csrf})
    assert weak.status_code == 400
    created = browser.post(
        "/users", json={"email": new, "password": PASSWORD, "role": "editor"}, headers={"x-csrf-token": csrf}
    )
    assert created.status_code == 201
    with httpx.Client(base_url=f"{stack.url}/api/v1") as other:
        assert login(other, new).status_code == 200
        assert other.get("/auth/me").json()["workspace_id"] == workspace
    assert created.json().get("password") is None


def test_failed_logins_are_rate_limited_and_never_logged_with_passwords(
    stack: NativeStack, browser: httpx.Client
) -> None:
    email, _ = make_user(stack, "viewer")
    wrong = "definitely-the-wrong-password-123"
    statuses = [login(browser, email, wrong).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    assert login(browser, email).status_code == 429  # even the right password waits out the window
    assert login(browser, "nobody@example.com", wrong).status_code == 401  # unknown account: same answer
    logs = (stack.data_dir / "logs").glob("*.log")
    text = "".join(p.read_text(errors="replace") for p in logs)
    assert "failed login for " + email in text
    assert wrong not in text and PASSWORD not in text


def test_initial_admin_from_env(tmp_path: Path) -> None:
    from tooling.runner.stack import temporary_stack

    env = {
        "INITIAL_ADMIN_EMAIL": "root@example.com",
        "INITIAL_ADMIN_PASSWORD": PASSWORD,
        "INITIAL_WORKSPACE_NAME": "ops",
    }
    with (
        temporary_stack("tracehouse-admin-", extra_env=env) as stack,
        httpx.Client(base_url=f"{stack.url}/api/v1") as client,
    ):
        assert login(client, "root@example.com").status_code == 200
        me = client.get("/auth/me").json()
        assert me["role"] == "admin" and [w["name"] for w in me["workspaces"]] == ["ops"]


def test_members_and_invites(stack: NativeStack, browser: httpx.Client) -> None:
    email, workspace = make_user(stack, "admin")
    csrf = {"x-csrf-token": login(browser, email).json()["csrf_token"]}
    invited = f"{uuid.uuid4().hex[:8]}@example.com"
    invite = browser.post("/invites", json={"email": invited, "role": "editor"}, headers=csrf)
    assert invite.status_code == 201
    token = invite.json()["token"]
    with httpx.Client(base_url=f"{stack.url}/api/v1") as newcomer:
        accepted = newcomer.post(f"/invites/{token}/accept", json={"password": PASSWORD, "display_name": "New"})
        assert accepted.status_code == 201 and accepted.json()["role"] == "editor"
        assert newcomer.post(f"/invites/{token}/accept", json={"password": PASSWORD}).status_code == 404  # once
        assert login(newcomer, invited).status_code == 200
        assert newcomer.get("/auth/me").json()["role"] == "editor"
    members = browser.get(f"/workspaces/{workspace}/members").json()
    by_email = {m["email"]: m for m in members}
    assert by_email[invited]["role"] == "editor" and by_email[email]["role"] == "admin"
    newcomer_id = by_email[invited]["user_id"]
    assert (
        browser.patch(f"/workspaces/{workspace}/members/{newcomer_id}", json={"role": "viewer"}, headers=csrf).json()[
            "role"
        ]
        == "viewer"
    )
    me_id = by_email[email]["user_id"]
    last_admin = browser.delete(f"/workspaces/{workspace}/members/{me_id}", headers=csrf)
    assert last_admin.status_code == 409  # a workspace keeps at least one admin
    assert browser.delete(f"/workspaces/{workspace}/members/{newcomer_id}", headers=csrf).status_code == 204
    assert invited not in {m["email"] for m in browser.get(f"/workspaces/{workspace}/members").json()}


def test_personal_access_tokens_follow_their_users_role(stack: NativeStack, browser: httpx.Client) -> None:
    admin_email, workspace = make_user(stack, "admin")
    admin_csrf = {"x-csrf-token": login(browser, admin_email).json()["csrf_token"]}
    user_email, _ = make_user(stack, "editor", workspace=None)
    # Put the second user into the admin's workspace as an editor.
    invite = browser.post("/invites", json={"email": user_email, "role": "editor"}, headers=admin_csrf).json()
    with httpx.Client(base_url=f"{stack.url}/api/v1") as person:
        # The account exists already: its owner accepts from their own session, without a password.
        csrf = {"x-csrf-token": login(person, user_email).json()["csrf_token"]}
        assert person.post(f"/invites/{invite['token']}/accept", json={}, headers=csrf).status_code == 201
        token = person.post(
            "/api-key/personal", json={"name": "laptop"}, headers={**csrf, "X-Tenant-Id": workspace}
        ).json()
        assert token["kind"] == "personal" and token["role"] == "member"
    pat = {"x-api-key": token["key"]}
    with httpx.Client(base_url=f"{stack.url}/api/v1", headers=pat) as program:
        assert program.post("/sessions", json={"name": "pat-project"}).status_code == 200  # editor
        assert program.get("/api-key").status_code == 403  # not an admin
        members = {m["email"]: m["user_id"] for m in browser.get(f"/workspaces/{workspace}/members").json()}
        browser.patch(
            f"/workspaces/{workspace}/members/{members[user_email]}", json={"role": "viewer"}, headers=admin_csrf
        )
        # The token now acts as a viewer (once its cached resolution expires: 2 s in tests).
        wait_for_status(lambda: program.post("/sessions", json={"name": "later"}).status_code, 403)
        removed = browser.delete(f"/workspaces/{workspace}/members/{members[user_email]}", headers=admin_csrf)
        assert removed.status_code == 204, removed.text
        wait_for_status(lambda: program.get("/sessions").status_code, 401)
    listed = {k["id"]: k for k in browser.get("/api-key").json()}
    assert listed[token["id"]]["created_by"] == members[user_email]
    # Personal tokens come from a logged-in session, never from another key.
    admin_key = browser.post("/api-key", json={"name": "svc", "role": "admin"}, headers=admin_csrf).json()["key"]
    refused = httpx.post(f"{stack.url}/api/v1/api-key/personal", json={}, headers={"x-api-key": admin_key})
    assert refused.status_code == 400


def wait_for_status(probe: Callable[[], int], expected: int) -> None:
    import time

    deadline = time.monotonic() + 15
    while probe() != expected:
        assert time.monotonic() < deadline, f"never answered {expected}; last {probe()}"
        time.sleep(0.3)


def test_admins_create_and_rename_workspaces(stack: NativeStack, browser: httpx.Client) -> None:
    email, _workspace = make_user(stack, "admin")
    csrf = {"x-csrf-token": login(browser, email).json()["csrf_token"]}
    name = f"team-{uuid.uuid4().hex[:6]}"
    created = browser.post("/workspaces", json={"name": name}, headers=csrf)
    assert created.status_code == 201
    assert browser.post("/workspaces", json={"name": name}, headers=csrf).status_code == 409
    mine = {w["display_name"]: w for w in browser.get("/workspaces").json()}
    assert name in mine and mine[name]["is_current"] is False  # the creator is its admin
    new_id = created.json()["id"]
    renamed = browser.patch(
        f"/workspaces/{new_id}", json={"name": name + "-x"}, headers={**csrf, "X-Tenant-Id": new_id}
    )
    assert renamed.status_code == 200 and renamed.json()["display_name"] == name + "-x"
    # Only the workspace the request acts in can be renamed through it.
    assert browser.patch(f"/workspaces/{new_id}", json={"name": "nope"}, headers=csrf).status_code == 404
    assert browser.get("/orgs/current").json()["name"]
    viewer_email, _ = make_user(stack, "viewer")
    with httpx.Client(base_url=f"{stack.url}/api/v1") as viewer:
        viewer_csrf = {"x-csrf-token": login(viewer, viewer_email).json()["csrf_token"]}
        assert viewer.post("/workspaces", json={"name": "mine"}, headers=viewer_csrf).status_code == 403


def test_api_keys_never_reach_the_logs(stack: NativeStack, tenant: Tenant, browser: httpx.Client) -> None:
    created = tenant.client.post("/api-key", json={"name": "secret-check"}).json()["key"]
    for _ in range(3):
        httpx.get(f"{stack.url}/api/v1/sessions", headers={"x-api-key": created})
    httpx.get(f"{stack.url}/api/v1/sessions", headers={"x-api-key": created[:-1] + "X"})  # a failed attempt too
    text = "".join(p.read_text(errors="replace") for p in (stack.data_dir / "logs").glob("*.log"))
    assert tenant.key not in text and created not in text
    assert created.split("_")[2] not in text  # not even the secret part
