"""POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me, POST /api/v1/users.

Login is throttled per account and client address (`throttle.py`); failures are logged (never
the password) and slow down. The session cookie is HttpOnly, SameSite=Lax, and Secure when the
request came over TLS (nginx or an outer proxy sets X-Forwarded-Proto). An OIDC login would add
a second route that ends in the same `sessions.create`, which is the whole seam.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import msgspec
import redis.asyncio as aredis
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.core import sessions
from app.core.auth import Principal
from app.core.errors import BadRequest, Conflict, NotAuthenticated
from app.core.metrics import LOGIN_FAILURES
from app.core.postgres import Postgres
from app.core.tenancy import queries as tq
from app.core.tenancy import users
from app.platform.login import queries as q
from app.platform.login import throttle
from app.platform.login.service import TooManyAttempts, client_ip, session_response

log = logging.getLogger("tracehouse.login")
for _reason in ("credentials", "throttled"):
    LOGIN_FAILURES.labels(_reason)  # exported at 0 from the start, so increase() sees the first


class LoginBody(msgspec.Struct, kw_only=True):
    email: str
    password: str


class UserCreate(msgspec.Struct, kw_only=True):
    email: str
    password: str
    display_name: str = ""
    role: str = "viewer"

    def __post_init__(self) -> None:
        if "@" not in self.email or len(self.email) > 320:
            raise ValueError("email must be an address")
        if self.role not in ("admin", "editor", "viewer"):
            raise ValueError("role must be admin, editor or viewer")


@post("/api/v1/auth/login", opt={"exclude_from_auth": True}, status_code=200)
async def login(
    request: Request[Any, Any, Any],
    data: JSONBody[LoginBody],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> Response[dict[str, Any]]:
    # Only application/json, which another site's form cannot send: a page elsewhere must not be
    # able to log its visitor into the attacker's account (login CSRF), as the setup route refuses.
    if request.content_type[0] != "application/json":
        raise BadRequest("send the body as application/json")
    settings = request.app.state.settings.auth
    ip = client_ip(request)
    attempt = throttle.attempt_keys(data.email, ip)
    refused = await throttle.reserve(redis, attempt, settings.login_max_failures)
    if refused is not None:
        LOGIN_FAILURES.labels("throttled").inc()
        raise TooManyAttempts(
            f"too many failed logins; try again in {refused.retry_after} seconds",
            extra={"retry_after": refused.retry_after},
        )
    try:
        row = await postgres.fetch_one(tq.SELECT_USER_BY_EMAIL, {"email": data.email.strip()})
        # argon2 is CPU-bound: off the event loop, so other requests are not held up meanwhile.
        ok = await asyncio.to_thread(users.verify_password, row["password_hash"] if row else None, data.password)
    except BaseException:
        await throttle.release(redis, attempt)
        raise
    if not ok or row is None or row["disabled_at"] is not None:
        LOGIN_FAILURES.labels("credentials").inc()
        failures = await throttle.failed(redis, attempt)
        log.warning("failed login for %s from %s (%d in the window)", data.email.strip()[:320], ip, failures)
        await asyncio.sleep(min(0.25 * failures, 3.0))  # repeated failures slow down
        raise NotAuthenticated("wrong email or password")
    await throttle.succeeded(redis, attempt)
    return await session_response(request, redis, row["id"], row["email"])


@post("/api/v1/auth/logout", opt={"exclude_from_auth": True}, status_code=200)
async def logout(request: Request[Any, Any, Any], redis: NamedDependency[aredis.Redis]) -> Response[dict[str, str]]:
    token = request.cookies.get(sessions.COOKIE)
    if token:
        await sessions.delete(redis, token)
    response = Response({"status": "logged out"})
    response.delete_cookie(sessions.COOKIE, path="/")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")
    return response


@get("/api/v1/auth/me")
async def me(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> dict[str, Any]:
    if principal.user_id is None:
        return {"user": None, "workspace_id": str(principal.workspace_id), "role": principal.role}
    user = await postgres.fetch_one(tq.SELECT_USER, {"id": principal.user_id})
    memberships = await postgres.fetch_all(tq.SELECT_MEMBERSHIPS, {"user_id": principal.user_id})
    # The UI keeps the CSRF token in memory only, so after a reload it asks again here. A GET
    # cannot be forged into reading the answer cross-site (no CORS), so handing it out is safe.
    session = await sessions.load(
        redis, request.cookies.get(sessions.COOKIE, ""), request.app.state.settings.auth.session_idle_seconds
    )
    return {
        "user": {"id": str(user["id"]), "email": user["email"], "display_name": user["display_name"]},
        "workspace_id": str(principal.workspace_id),
        "organization_id": str(principal.organization_id),
        "role": principal.role,
        "csrf_token": session.csrf if session else None,
        "workspaces": [{"id": str(m["workspace_id"]), "name": m["name"], "role": m["role"]} for m in memberships],
    }


@post("/api/v1/users", opt={"role": "admin"}, status_code=201)
async def create_user(
    data: JSONBody[UserCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, Any]:
    """An admin adds a new person to their workspace, choosing their first password. The account
    is then managed by the admin's organization (users.organization_id).

    An email that already has an account is never changed here. Within the caller's organization
    that is a 409 (they can see their own people anyway). Outside it, the answer is the same as for
    a new account, so this route cannot be used to find out who has an account; nothing is
    created, and the person needs an invitation, which they accept while logged in.
    """
    password_hash = users.checked_hash(data.password)
    email = data.email.strip()
    async with postgres.transaction() as conn:
        existing = await (await conn.execute(tq.SELECT_USER_BY_EMAIL, {"email": email})).fetchone()
        user_id = uuid.uuid4()
        if existing is None:
            inserted = await conn.execute(
                tq.INSERT_USER,
                {
                    "id": user_id,
                    "email": email,
                    "name": data.display_name,
                    "hash": password_hash,
                    "organization_id": principal.organization_id,
                },
            )
            if await inserted.fetchone() is None:  # created by a concurrent request meanwhile
                raise Conflict("the account was created meanwhile; try again")
            await users.add_member(conn, principal.workspace_id, user_id, data.role)
        else:
            in_org = await (
                await conn.execute(
                    q.SELECT_USER_IN_ORG, {"id": existing["id"], "organization_id": principal.organization_id}
                )
            ).fetchone()
            if in_org is not None and in_org["in_org"]:
                raise Conflict("an account with that email is already in this organization; invite it instead")
            log.info("POST /users for an address with an account elsewhere; nothing changed")
    return {"id": str(user_id), "email": email, "role": data.role}


ROUTES = [login, logout, me, create_user]
