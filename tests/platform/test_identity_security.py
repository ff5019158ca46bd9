"""Identity attacks, each replayed through nginx against the real stack: taking over accounts
across organizations through pre-created users and invitations, the bootstrap admin, login
throttling, links built from the Host header, guessable feedback tokens, and personal tokens
outliving their membership in the key cache."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import psycopg
import pytest
import redis
from psycopg.rows import dict_row

from app.core.auth import cache_key
from app.core.tenancy import service, users
from app.core.tenancy.keys import hash_key
from tests.conftest import Tenant, python_module
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
PASSWORD = "correct horse battery staple"
ATTACKER_PASSWORD = "attacker-knows-this-one"
VICTIM_PASSWORD = "the-newhire-chose-this"


@dataclass
class Admin:
    email: str
    workspace_id: str
    client: httpx.Client  # logged in, CSRF header set

    def post(self, path: str, body: dict) -> httpx.Response:
        return self.client.post(path, json=body)


def _email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.com"


def new_org_admin(stack: NativeStack) -> Admin:
    """An admin of a workspace in an organization of its own, logged in through nginx. Only this
    setup writes to Postgres directly (organizations have no API)."""

    async def run() -> tuple[str, str]:
        async with await psycopg.AsyncConnection.connect(stack.env()["POSTGRES_DSN"], row_factory=dict_row) as conn:
            org = await service.ensure_org(conn, f"org-{uuid.uuid4().hex[:8]}")
            ws = await service.ensure_workspace(conn, org, "main")
            email = _email("admin")
            user_id = await users.ensure_user(conn, email, PASSWORD)
            await users.add_member(conn, ws.id, user_id, "admin")
            await conn.commit()
            return email, str(ws.id)

    email, workspace_id = asyncio.run(run())
    client = httpx.Client(base_url=f"{stack.url}/api/v1", timeout=30)
    answer = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["x-csrf-token"] = answer.json()["csrf_token"]
    client.headers["x-tenant-id"] = workspace_id
    return Admin(email=email, workspace_id=workspace_id, client=client)


@pytest.fixture
def org_a(stack: NativeStack) -> Iterator[Admin]:
    admin = new_org_admin(stack)
    yield admin
    admin.client.close()


@pytest.fixture
def org_b(stack: NativeStack) -> Iterator[Admin]:
    admin = new_org_admin(stack)
    yield admin
    admin.client.close()


def fresh_client(stack: NativeStack, address: str | None = None) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address) if address else None
    return httpx.Client(base_url=f"{stack.url}/api/v1", timeout=60, transport=transport)


def log_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    answer = client.post("/auth/login", json={"email": email, "password": password})
    if answer.status_code == 200:
        client.headers["x-csrf-token"] = answer.json()["csrf_token"]
    return answer


# Logins that are meant to fail come from their own loopback address, so they never count
# against 127.0.0.1, which every other test logs in from.
PROBE_ADDRESS = "127.0.0.10"


def workspaces_of(stack: NativeStack, email: str, password: str) -> set[str] | None:
    """The ids and names of the workspaces this login reaches; None if the login fails."""
    with fresh_client(stack, PROBE_ADDRESS) as client:
        if log_in(client, email, password).status_code != 200:
            return None
        me = client.get("/auth/me")
        if me.status_code != 200:
            return set()
        return {w["id"] for w in me.json()["workspaces"]} | {w["name"] for w in me.json()["workspaces"]}


# --- 1. accounts, invitations, the bootstrap admin ------------------------------------------------


def test_an_account_another_org_created_cannot_be_pulled_into_a_workspace(
    stack: NativeStack, org_a: Admin, org_b: Admin
) -> None:
    """B's admin pre-creates newhire@ with a password B knows; A invites that address. Before the
    fix the invitee's password was ignored and B's account became A's admin."""
    newhire = _email("newhire")
    assert org_b.post("/users", {"email": newhire, "password": ATTACKER_PASSWORD}).status_code == 201
    invite = org_a.post("/invites", {"email": newhire, "role": "admin"})
    assert invite.status_code == 201
    token = invite.json()["token"]
    with fresh_client(stack, PROBE_ADDRESS) as invitee:
        refused = invitee.post(f"/invites/{token}/accept", json={"password": VICTIM_PASSWORD})
        assert refused.status_code == 409 and refused.json()["error"] == "login_required"
        assert set(refused.json()) == {"error", "detail"}
        assert "organization" not in refused.json()["detail"]  # nothing beyond "your address has an account"
    # Whoever knows B's password (B's admin) logs in as the account and tries to accept: refused.
    with fresh_client(stack) as attacker:
        assert log_in(attacker, newhire, ATTACKER_PASSWORD).status_code == 200
        managed = attacker.post(f"/invites/{token}/accept", json={})
        assert managed.status_code == 403 and managed.json()["error"] == "forbidden"
    assert org_a.workspace_id not in (workspaces_of(stack, newhire, ATTACKER_PASSWORD) or set())
    assert workspaces_of(stack, newhire, VICTIM_PASSWORD) is None  # the invitee's password set nothing
    members = {m["email"] for m in org_a.client.get(f"/workspaces/{org_a.workspace_id}/members").json()}
    assert newhire not in members


def test_an_invitation_made_account_stays_in_its_org(stack: NativeStack, org_a: Admin, org_b: Admin) -> None:
    """An admin can accept their own invitation with a password of their choosing, so an account
    born from B's invitation is B's to manage, just like one from POST /users."""
    person = _email("self-made")
    token_b = org_b.post("/invites", {"email": person}).json()["token"]
    with fresh_client(stack) as b_admin_as_invitee:
        created = b_admin_as_invitee.post(f"/invites/{token_b}/accept", json={"password": ATTACKER_PASSWORD})
        assert created.status_code == 201
    token_a = org_a.post("/invites", {"email": person, "role": "admin"}).json()["token"]
    with fresh_client(stack) as attacker:
        assert log_in(attacker, person, ATTACKER_PASSWORD).status_code == 200
        assert attacker.post(f"/invites/{token_a}/accept", json={}).status_code == 403


def test_an_existing_account_joins_only_with_its_own_consent(stack: NativeStack, org_a: Admin) -> None:
    """An operator-made account (no managing org) may join, but only from its own session, and
    its password is never set or silently ignored."""
    other = new_org_admin(stack)  # an account that exists, with a password only its owner knows
    other.client.close()
    token = org_a.post("/invites", {"email": other.email, "role": "editor"}).json()["token"]
    with fresh_client(stack) as stranger:
        assert stranger.post(f"/invites/{token}/accept", json={"password": VICTIM_PASSWORD}).status_code == 409
        # Logged in as somebody else is not consent either.
        someone = _email("someone")
        assert org_a.post("/users", {"email": someone, "password": PASSWORD}).status_code == 201
        assert log_in(stranger, someone, PASSWORD).status_code == 200
        assert stranger.post(f"/invites/{token}/accept", json={}).status_code == 409
    with fresh_client(stack) as owner:
        assert log_in(owner, other.email, PASSWORD).status_code == 200
        csrf = owner.headers.pop("x-csrf-token")
        assert owner.post(f"/invites/{token}/accept", json={}).status_code == 403  # a cookie alone is not consent
        owner.headers["x-csrf-token"] = csrf
        with_password = owner.post(f"/invites/{token}/accept", json={"password": VICTIM_PASSWORD})
        assert with_password.status_code == 400  # refused, not ignored
        accepted = owner.post(f"/invites/{token}/accept", json={})
        assert accepted.status_code == 201 and accepted.json()["role"] == "editor"
    assert org_a.workspace_id in (workspaces_of(stack, other.email, PASSWORD) or set())
    assert workspaces_of(stack, other.email, VICTIM_PASSWORD) is None


def test_create_user_does_not_reveal_accounts_of_other_orgs(stack: NativeStack, org_a: Admin, org_b: Admin) -> None:
    taken = _email("taken")
    assert org_b.post("/users", {"email": taken, "password": ATTACKER_PASSWORD}).status_code == 201
    fresh = org_a.post("/users", {"email": _email("fresh"), "password": PASSWORD})
    probe = org_a.post("/users", {"email": taken, "password": PASSWORD, "role": "admin"})
    # Same status, same fields: the answer does not say whether the address had an account.
    assert probe.status_code == fresh.status_code == 201
    assert set(probe.json()) == set(fresh.json())
    # ...and nothing was changed or joined behind it.
    assert workspaces_of(stack, taken, PASSWORD) is None
    assert org_a.workspace_id not in (workspaces_of(stack, taken, ATTACKER_PASSWORD) or set())
    # Inside its own organization an admin may be told plainly.
    again = org_b.post("/users", {"email": taken, "password": PASSWORD})
    assert again.status_code == 409 and set(again.json()) == {"error", "detail"}


def test_the_bootstrap_admin_cannot_claim_an_account_someone_else_made(
    stack: NativeStack, stack_env: dict[str, str], org_b: Admin
) -> None:
    """INITIAL_ADMIN_* runs on every start: naming an address somebody already registered (with
    their own password) must not make that account the initial workspace's admin."""
    squatted = _email("ops")
    assert org_b.post("/users", {"email": squatted, "password": ATTACKER_PASSWORD}).status_code == 201
    workspace = f"ops-{uuid.uuid4().hex[:6]}"
    env = {
        **stack_env,
        "INITIAL_ADMIN_EMAIL": squatted,
        "INITIAL_ADMIN_PASSWORD": PASSWORD,
        "INITIAL_WORKSPACE_NAME": workspace,
    }
    result = python_module("app.migrate", env=env)
    assert result.returncode == 0, result.stderr
    assert "not made an admin" in result.stderr + result.stdout
    with fresh_client(stack) as attacker:
        assert log_in(attacker, squatted, ATTACKER_PASSWORD).status_code == 200
        names = {w["name"] for w in attacker.get("/auth/me").json()["workspaces"]}
        assert workspace not in names
    assert workspaces_of(stack, squatted, PASSWORD) is None  # and its password was not reset
    # An account nobody manages qualifies only when INITIAL_ADMIN_PASSWORD is its password.
    someone = new_org_admin(stack)
    someone.client.close()
    env["INITIAL_ADMIN_EMAIL"] = someone.email
    env["INITIAL_ADMIN_PASSWORD"] = VICTIM_PASSWORD
    assert python_module("app.migrate", env=env).returncode == 0
    assert workspace not in (workspaces_of(stack, someone.email, PASSWORD) or set())
    assert workspaces_of(stack, someone.email, VICTIM_PASSWORD) is None
    env["INITIAL_ADMIN_PASSWORD"] = PASSWORD
    # A new address is created and made admin, and a second start leaves it so.
    fresh = _email("ops")
    env["INITIAL_ADMIN_EMAIL"] = fresh
    for _ in range(2):
        assert python_module("app.migrate", env=env).returncode == 0
    with fresh_client(stack) as operator:
        assert log_in(operator, fresh, PASSWORD).status_code == 200
        assert {(w["name"], w["role"]) for w in operator.get("/auth/me").json()["workspaces"]} == {(workspace, "admin")}


# --- 2. login throttling ---------------------------------------------------------------------------


def _user_in(stack: NativeStack, org: Admin) -> str:
    email = _email("target")
    assert org.post("/users", {"email": email, "password": PASSWORD, "role": "admin"}).status_code == 201
    return email


def _attempt(stack: NativeStack, address: str, email: str, password: str) -> httpx.Response:
    with fresh_client(stack, address) as client:
        return client.post("/auth/login", json={"email": email, "password": password})


def test_concurrent_guesses_never_get_past_the_limit(stack: NativeStack, org_a: Admin) -> None:
    """40 wrong passwords at once from one address: before, the check ran before the slow
    verify and 26 were verified against a limit of 5."""
    email = _user_in(stack, org_a)
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(
            pool.map(lambda _: _attempt(stack, "127.0.0.2", email, "wrong-password-123").status_code, range(40))
        )
    assert statuses.count(401) == 5, statuses  # LOGIN_MAX_FAILURES in the test stack
    assert statuses.count(401) + statuses.count(429) == 40, statuses
    assert _attempt(stack, "127.0.0.2", email, PASSWORD).status_code == 429  # this address waits
    # The owner, from another address, is not locked out by someone else's guesses.
    assert _attempt(stack, "127.0.0.1", email, PASSWORD).status_code == 200


def test_an_account_under_distributed_guessing_slows_down_but_its_owner_gets_in(
    stack: NativeStack, org_a: Admin
) -> None:
    email = _user_in(stack, org_a)
    for address in ("127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"):  # 4 x 5 = the account's ceiling
        statuses = [_attempt(stack, address, email, "wrong-password-123").status_code for _ in range(5)]
        assert statuses == [401] * 5
    # Past the ceiling every further attempt needs the account's backoff slot, from any address:
    # of fresh addresses trying at once, one gets it and the others are told to wait.
    fresh = ("127.0.0.7", "127.0.0.8", "127.0.0.11", "127.0.0.12")
    with ThreadPoolExecutor(max_workers=len(fresh)) as pool:
        answers = list(pool.map(lambda a: _attempt(stack, a, email, "wrong-password-123"), fresh))
    statuses = [a.status_code for a in answers]
    assert set(statuses) == {401, 429}, statuses
    waiting = next(a for a in answers if a.status_code == 429)
    assert 1 <= waiting.json()["retry_after"] <= 2
    assert waiting.headers["retry-after"] == str(waiting.json()["retry_after"])
    # ...and the owner, honouring Retry-After, is let in without any lockout.
    deadline = time.monotonic() + 20
    while (answer := _attempt(stack, "127.0.0.1", email, PASSWORD)).status_code == 429:
        assert time.monotonic() < deadline, answer.text
        time.sleep(answer.json()["retry_after"])
    assert answer.status_code == 200


def test_a_spoofed_forwarding_header_does_not_change_the_address(stack: NativeStack, org_a: Admin) -> None:
    email = _user_in(stack, org_a)
    with fresh_client(stack, "127.0.0.9") as client:
        for n in range(5):
            spoof = {"X-Real-IP": f"10.0.0.{n}", "X-Forwarded-For": f"10.1.0.{n}"}
            assert (
                client.post(
                    "/auth/login", json={"email": email, "password": "nope-nope-nope"}, headers=spoof
                ).status_code
                == 401
            )
        spoof = {"X-Real-IP": "10.9.9.9", "X-Forwarded-For": "10.9.9.9"}
        assert client.post("/auth/login", json={"email": email, "password": PASSWORD}, headers=spoof).status_code == 429


# --- 3. links on PUBLIC_URL ------------------------------------------------------------------------


def test_links_use_the_public_url_not_the_host_header(
    stack: NativeStack, stack_env: dict[str, str], org_a: Admin
) -> None:
    public = stack_env["PUBLIC_URL"]
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    invite = org_a.client.post("/invites", json={"email": _email("linked")}, headers=evil).json()
    assert invite["invite_url"].startswith(public + "/invite/") and "evil" not in invite["invite_url"]
    assert invite["accept_url"].startswith(public + "/api/v1/invites/")
    token = org_a.client.post(
        "/feedback/tokens", json={"run_id": str(uuid.uuid4()), "feedback_key": "k"}, headers=evil
    ).json()
    assert token["url"] == f"{public}/api/v1/feedback/tokens/{token['id']}"


# --- 4. feedback tokens are the server's ------------------------------------------------------------


def test_feedback_tokens_are_never_the_id_a_caller_chose(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant
) -> None:
    guessable = "00000000-0000-0000-0000-000000000001"
    body = {"id": guessable, "run_id": str(uuid.uuid4()), "feedback_key": "thumbs"}
    made = tenant.client.post("/feedback/tokens", json=body)
    assert made.status_code == 200
    assert made.json()["id"] != guessable
    with httpx.Client(base_url=f"{stack.url}/api/v1") as nobody:
        assert nobody.post(f"/feedback/tokens/{guessable}", json={"score": 1}).status_code == 404
        assert nobody.post(f"/feedback/tokens/{made.json()['id']}", json={"score": 1}).status_code == 200
    # The client's id is only an idempotency key of its workspace: a retry gets the same token,
    # another workspace using the same id gets its own.
    assert tenant.client.post("/feedback/tokens", json=body).json()["id"] == made.json()["id"]
    theirs = other_tenant.client.post("/feedback/tokens", json=body).json()["id"]
    assert theirs not in {made.json()["id"], guessable}


# --- 5. membership changes reach cached personal tokens at once --------------------------------------


def test_a_removed_members_token_stops_at_once(stack: NativeStack, stack_env: dict[str, str], org_a: Admin) -> None:
    member = _email("leaver")
    assert org_a.post("/users", {"email": member, "password": PASSWORD, "role": "editor"}).status_code == 201
    with fresh_client(stack) as person:
        assert log_in(person, member, PASSWORD).status_code == 200
        key = person.post("/api-key/personal", json={"name": "laptop"}).json()["key"]
        pat = {"x-api-key": key}
        cache = redis.Redis.from_url(stack_env["REDIS_URL"])
        try:

            def cached_for_long(expected_status: int) -> None:
                """Resolve the token (so it is cached) and stretch the entry to beyond production's
                lifetime, so only an eviction can make a membership change apply during the test."""
                for _ in range(5):
                    assert person.get("/sessions", headers=pat).status_code == expected_status
                    if cache.expire(cache_key(hash_key(key)), 300):
                        return
                pytest.fail("the token's resolution was never cached")

            cached_for_long(200)
            members = {
                m["email"]: m["user_id"] for m in org_a.client.get(f"/workspaces/{org_a.workspace_id}/members").json()
            }
            path = f"/workspaces/{org_a.workspace_id}/members/{members[member]}"
            assert org_a.client.patch(path, json={"role": "viewer"}).status_code == 200
            assert person.post("/sessions", json={"name": "after-demotion"}, headers=pat).status_code == 403
            cached_for_long(200)  # a viewer still reads
            assert org_a.client.delete(path).status_code == 204
            assert person.get("/sessions", headers=pat).status_code == 401
            assert person.get("/sessions").status_code == 403  # the session too
        finally:
            cache.close()
