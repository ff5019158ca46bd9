"""Members of the caller's workspace, and invitations to it (admin to change; anyone to list).

GET    /api/v1/workspaces/{id}/members
PATCH  /api/v1/workspaces/{id}/members/{user_id}   {"role"}
DELETE /api/v1/workspaces/{id}/members/{user_id}
POST   /api/v1/invites                              {"email", "role"} → a link, shown once
POST   /api/v1/invites/{token}/accept               {"password", "display_name"} (no key)

Accepting for an address that has no account creates it with the password given. For an address
that already has one, the account's owner must consent: they accept while logged in as it (the
session cookie and its X-CSRF-Token), with no password, and its password is never touched. A
password sent for an existing account is refused rather than ignored. An account managed by
another organization (created through its admin or its invitation, so its password may be known
there) cannot join at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from typing import Any, Literal

import msgspec
import redis.asyncio as aredis
from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.core import sessions
from app.core.auth import Authenticator, Principal
from app.core.errors import BadRequest, Conflict, Forbidden, NotFound, TracehouseError
from app.core.postgres import Postgres
from app.core.tenancy import queries as tq
from app.core.tenancy import users
from app.platform.members import queries as q

INVITE_TTL = dt.timedelta(days=7)

Role = Literal["admin", "editor", "viewer"]


class RoleBody(msgspec.Struct):
    role: Role


class InviteBody(msgspec.Struct, kw_only=True):
    email: str
    role: Role = "viewer"


class AcceptBody(msgspec.Struct, kw_only=True):
    password: str | None = None  # only for a new account
    display_name: str = ""


def _own(principal: Principal, workspace_id: uuid.UUID) -> None:
    if workspace_id != principal.workspace_id:
        raise NotFound("workspace not found")


@get("/api/v1/workspaces/{workspace_id:uuid}/members")
async def list_members(
    workspace_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> list[dict[str, Any]]:
    _own(principal, workspace_id)
    rows = await postgres.fetch_all(q.SELECT_MEMBERS, {"workspace_id": workspace_id})
    return [
        {
            "user_id": str(r["id"]),
            "email": r["email"],
            "display_name": r["display_name"],
            "role": r["role"],
            "created_at": r["created_at"],
        }
        for r in rows
    ]


async def _keep_an_admin(postgres: Postgres, workspace_id: uuid.UUID, user_id: uuid.UUID, new_role: str | None) -> None:
    members = {r["id"]: r["role"] for r in await postgres.fetch_all(q.SELECT_MEMBERS, {"workspace_id": workspace_id})}
    if members.get(user_id) == "admin" and new_role != "admin":
        if sum(1 for role in members.values() if role == "admin") <= 1:
            raise Conflict("a workspace keeps at least one admin")


@patch("/api/v1/workspaces/{workspace_id:uuid}/members/{user_id:uuid}", opt={"role": "admin"})
async def change_role(
    *,
    request: Request[Any, Any, Any],
    workspace_id: FromPath[uuid.UUID],
    user_id: FromPath[uuid.UUID],
    data: JSONBody[RoleBody],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, str]:
    _own(principal, workspace_id)
    await _keep_an_admin(postgres, workspace_id, user_id, data.role)
    if (
        await postgres.fetch_one(q.UPDATE_MEMBER, {"workspace_id": workspace_id, "user_id": user_id, "role": data.role})
        is None
    ):
        raise NotFound("member not found")
    authenticator: Authenticator = request.app.state.authenticator
    await authenticator.evict_personal_keys(user_id, workspace_id)  # their tokens take the new role now
    return {"user_id": str(user_id), "role": data.role}


@delete("/api/v1/workspaces/{workspace_id:uuid}/members/{user_id:uuid}", opt={"role": "admin"}, status_code=204)
async def remove_member(
    request: Request[Any, Any, Any],
    workspace_id: FromPath[uuid.UUID],
    user_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> None:
    _own(principal, workspace_id)
    await _keep_an_admin(postgres, workspace_id, user_id, None)
    if await postgres.fetch_one(q.DELETE_MEMBER, {"workspace_id": workspace_id, "user_id": user_id}) is None:
        raise NotFound("member not found")
    authenticator: Authenticator = request.app.state.authenticator
    await authenticator.evict_personal_keys(user_id, workspace_id)  # their tokens stop working now


@post("/api/v1/invites", opt={"role": "admin"}, status_code=201)
async def invite(
    request: Request[Any, Any, Any],
    data: JSONBody[InviteBody],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, Any]:
    if "@" not in data.email:
        raise BadRequest("email must be an address")
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + INVITE_TTL
    await postgres.execute(
        q.INSERT_INVITE,
        {
            "id": uuid.uuid4(),
            "token_hash": hashlib.sha256(token.encode()).digest(),
            "workspace_id": principal.workspace_id,
            "email": data.email.strip(),
            "role": data.role,
            "created_by": principal.user_id,
            "expires_at": expires,
        },
    )
    public = request.app.state.settings.public
    # invite_url is the UI's page for the invitee; accept_url is the API behind it. Both are on
    # PUBLIC_URL: a Host header is the client's to choose, and a link to another host would hand
    # the token to whoever runs it.
    return {
        "email": data.email.strip(),
        "role": data.role,
        "expires_at": expires,
        "token": token,
        "invite_url": public.link(f"/invite/{token}"),
        "accept_url": public.link(f"/api/v1/invites/{token}/accept"),
    }


class LoginRequired(TracehouseError):
    status_code = 409
    code = "login_required"


async def _consenting_user(request: Request[Any, Any, Any], redis: aredis.Redis) -> uuid.UUID | None:
    """The user logged in on this request, if it carries a live session and its CSRF token (a
    cookie alone rides along on cross-site requests, so it is not consent)."""
    token = request.cookies.get(sessions.COOKIE)
    if not token:
        return None
    session = await sessions.load(redis, token, request.app.state.settings.auth.session_idle_seconds)
    if session is None:
        return None
    csrf = request.headers.get(sessions.CSRF_HEADER)
    if not (csrf and hmac.compare_digest(csrf, session.csrf)):
        raise Forbidden("missing or wrong X-CSRF-Token for a cookie-authenticated request", code="csrf")
    return session.user_id


@post("/api/v1/invites/{token:str}/accept", opt={"exclude_from_auth": True}, status_code=201)
async def accept_invite(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    data: JSONBody[AcceptBody],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> dict[str, Any]:
    password_hash = users.checked_hash(data.password) if data.password is not None else None
    async with postgres.transaction() as conn:
        claimed = await (
            await conn.execute(q.CLAIM_INVITE, {"token_hash": hashlib.sha256(token.encode()).digest()})
        ).fetchone()
        if claimed is None:
            raise NotFound("invitation is invalid, used or expired")
        existing = await (await conn.execute(tq.SELECT_USER_BY_EMAIL, {"email": claimed["email"]})).fetchone()
        # Every refusal below raises inside the transaction, so the invitation stays unused.
        if existing is None:
            if password_hash is None:
                raise BadRequest(f"choose a password of at least {users.MIN_PASSWORD} characters")
            user_id = uuid.uuid4()
            inserted = await conn.execute(
                tq.INSERT_USER,
                {
                    "id": user_id,
                    "email": claimed["email"],
                    "name": data.display_name,
                    "hash": password_hash,
                    # Whoever holds the token chose this password, and the inviting admin could
                    # have: the account is in that organization's keeping, like one from POST /users.
                    "organization_id": claimed["organization_id"],
                },
            )
            if await inserted.fetchone() is None:  # created by a concurrent request meanwhile
                raise Conflict("the account was created meanwhile; try again")
        else:
            # The token holder learns only that their own address has an account, which they know.
            if existing["disabled_at"] is not None or await _consenting_user(request, redis) != existing["id"]:
                raise LoginRequired("this address already has an account: log in to it, then accept the invitation")
            if password_hash is not None:
                raise BadRequest("an existing account keeps its password; accept without one")
            if existing["organization_id"] not in (None, claimed["organization_id"]):
                raise Forbidden(
                    "this account is managed by another organization and cannot join this one;"
                    " ask for an invitation to another address"
                )
            user_id = existing["id"]
        await users.add_member(conn, claimed["workspace_id"], user_id, claimed["role"])
    return {"user_id": str(user_id), "email": claimed["email"], "role": claimed["role"]}


ROUTES = [list_members, change_role, remove_member, invite, accept_invite]
