"""API-key authentication and workspace selection, in one place for every HTTP service.

A request carries its key in `x-api-key` (what the LangSmith SDK sends) or
`Authorization: Bearer <key>`. The key resolves to a `Principal` naming the workspace every query
of the request is scoped to:

- a workspace-bound key works only in its workspace (`X-Tenant-Id`, if sent, must match);
- an org-scoped key (no workspace) takes the workspace from `X-Tenant-Id`, which must belong to
  its organization, or the org's only workspace when there is just one.

Resolutions are cached in Redis for `API_KEY_CACHE_SECONDS`, keyed by the key's hash (never the
key). Revoking a key, and changing or removing the membership a personal token acts with, evict
its entry at once (`evict`, `evict_personal_keys`); the TTL bounds staleness for anything else
that changes a key behind our back. Unknown keys are cached too, so a flood of bad keys cannot reach
Postgres more than once per TTL.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec
import redis.asyncio as aredis
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from app.core import redis_keys, sessions
from app.core.errors import Forbidden, NotAuthenticated, StoreUnavailable
from app.core.postgres import Postgres
from app.core.tenancy import queries as q
from app.core.tenancy.keys import hash_key, parse_prefix

log = logging.getLogger("tracehouse.auth")

# redis_keys.APIKEY_GENERATION moves on every eviction. An entry is written only if it has not moved
# since the resolution started, so a lookup racing an eviction cannot put the old answer back for
# a whole TTL.
_CACHE_IF_CURRENT = """
if (redis.call('GET', KEYS[2]) or '') == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""
TOUCH_EVERY_SECONDS = 60


class Principal(msgspec.Struct, frozen=True):
    """Who is calling (an API key, or a logged-in user), and the workspace the request is scoped to."""

    key_id: uuid.UUID | None
    organization_id: uuid.UUID
    workspace_id: uuid.UUID
    org_scoped: bool = False  # the key may act in any workspace of its organization
    role: str = "admin"
    user_id: uuid.UUID | None = None  # set for UI sessions


class _CachedKey(msgspec.Struct, frozen=True):
    valid: bool
    key_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    workspace_id: uuid.UUID | None = None
    org_workspace_ids: list[uuid.UUID] = msgspec.field(default_factory=list)
    expires_at: dt.datetime | None = None
    role: str = "viewer"


_INVALID = _CachedKey(valid=False)


def cache_key(key_hash: bytes) -> str:
    return redis_keys.APIKEY_CACHE_PREFIX + key_hash.hex()


def extract_key(headers: Any) -> str | None:
    key: str | None = headers.get("x-api-key")
    if key:
        return key.strip()
    authorization: str = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class Authenticator:
    def __init__(self, postgres: Postgres, redis: aredis.Redis, *, cache_seconds: int) -> None:
        self._pg = postgres
        self._redis = redis
        self._ttl = cache_seconds

    async def _resolve(self, key: str) -> _CachedKey:
        key_hash = hash_key(key)
        ck = cache_key(key_hash)
        generation: bytes | str | None = None
        if self._ttl:
            try:
                cached, generation = await self._redis.mget(ck, redis_keys.APIKEY_GENERATION)
            except aredis.RedisError:
                cached = None  # a cache outage must not take authentication down with it
            if cached is not None:
                return msgspec.json.decode(cached, type=_CachedKey)
        prefix = parse_prefix(key)
        row = await self._pg.fetch_one(q.SELECT_API_KEY_BY_PREFIX, {"prefix": prefix}) if prefix else None
        if (
            row is None
            or row["revoked_at"] is not None
            or not hmac.compare_digest(bytes(row["key_hash"]), key_hash)
            # A personal token lives only as long as its user's membership of the workspace.
            or (row["user_id"] is not None and row["member_role"] is None)
        ):
            entry = _INVALID
        else:
            entry = _CachedKey(
                valid=True,
                key_id=row["id"],
                organization_id=row["organization_id"],
                workspace_id=row["workspace_id"],
                org_workspace_ids=list(row["org_workspace_ids"]),
                expires_at=row["expires_at"],
                role=row["member_role"] if row["user_id"] is not None else row["role"],
            )
        if self._ttl:
            try:
                await self._redis.eval(
                    _CACHE_IF_CURRENT,
                    2,
                    ck,
                    redis_keys.APIKEY_GENERATION,
                    msgspec.json.encode(entry),
                    self._ttl,
                    generation or b"",
                )
            except aredis.RedisError:
                pass
        return entry

    async def authenticate(self, key: str | None, tenant_header: str | None) -> Principal:
        if not key:
            raise NotAuthenticated("missing API key: send it in the x-api-key header (or log in)")
        entry = await self._resolve(key)
        if not entry.valid or entry.key_id is None or entry.organization_id is None:
            raise NotAuthenticated("invalid API key")
        if entry.expires_at is not None and entry.expires_at <= dt.datetime.now(dt.UTC):
            raise NotAuthenticated("API key expired")
        workspace_id = self._select_workspace(entry, tenant_header)
        await self._touch(entry.key_id)
        return Principal(
            key_id=entry.key_id,
            organization_id=entry.organization_id,
            workspace_id=workspace_id,
            org_scoped=entry.workspace_id is None,
            role=entry.role,
        )

    @staticmethod
    def _select_workspace(entry: _CachedKey, tenant_header: str | None) -> uuid.UUID:
        requested: uuid.UUID | None = None
        if tenant_header:
            try:
                requested = uuid.UUID(tenant_header.strip())
            except ValueError:
                raise Forbidden("X-Tenant-Id must be a workspace id (UUID)") from None
        if entry.workspace_id is not None:
            if requested is not None and requested != entry.workspace_id:
                raise Forbidden("this API key is not valid for the workspace in X-Tenant-Id")
            return entry.workspace_id
        if requested is not None:
            if requested not in entry.org_workspace_ids:
                raise Forbidden("the workspace in X-Tenant-Id is not in this key's organization")
            return requested
        if len(entry.org_workspace_ids) == 1:
            return entry.org_workspace_ids[0]
        raise Forbidden(
            "this organization-scoped key needs an X-Tenant-Id header naming a workspace",
            code="org_scoped_key_requires_workspace",
        )

    async def _touch(self, key_id: uuid.UUID) -> None:
        """Record `last_used_at` at most once a minute per key, off the common path."""
        try:
            first = await self._redis.set(
                f"{redis_keys.APIKEY_TOUCH_PREFIX}{key_id}", b"1", nx=True, ex=TOUCH_EVERY_SECONDS
            )
        except aredis.RedisError:
            return
        if first:
            try:
                await self._pg.execute(q.TOUCH_API_KEY, {"id": key_id})
            except StoreUnavailable:
                log.warning("could not record last use of key %s", key_id)

    async def authenticate_session(
        self, token: str, tenant_header: str | None, *, method: str, csrf_header: str | None, idle_seconds: int
    ) -> Principal:
        session = await sessions.load(self._redis, token, idle_seconds)
        if session is None:
            raise NotAuthenticated("session expired or logged out; log in again")
        if method not in ("GET", "HEAD", "OPTIONS") and not (
            csrf_header and hmac.compare_digest(csrf_header, session.csrf)
        ):
            # Cookies ride along on cross-site requests; the CSRF header cannot.
            raise Forbidden("missing or wrong X-CSRF-Token for a cookie-authenticated request", code="csrf")
        user = await self._pg.fetch_one(q.SELECT_USER, {"id": session.user_id})
        if user is None or user["disabled_at"] is not None:
            raise NotAuthenticated("this account is disabled")
        memberships = await self._pg.fetch_all(q.SELECT_MEMBERSHIPS, {"user_id": session.user_id})
        chosen = memberships[0] if memberships else None
        if tenant_header:
            chosen = next((m for m in memberships if str(m["workspace_id"]) == tenant_header.strip()), None)
        if chosen is None:
            raise Forbidden(
                "you are not a member of that workspace"
                if tenant_header
                else "you are not a member of any workspace yet; ask an admin for an invite"
            )
        return Principal(
            key_id=None,
            organization_id=chosen["organization_id"],
            workspace_id=chosen["workspace_id"],
            role=chosen["role"],
            user_id=session.user_id,
        )

    async def evict(self, *key_hashes: bytes) -> None:
        """Forget cached resolutions, after the change behind them has committed. The generation
        moves first: a resolution that read Postgres before the change and is about to write its
        entry sees it moved and does not write; one that wrote already is deleted here."""
        if not key_hashes:
            return
        await self._redis.incr(redis_keys.APIKEY_GENERATION)
        await self._redis.delete(*(cache_key(h) for h in key_hashes))

    async def evict_personal_keys(self, user_id: uuid.UUID, workspace_id: uuid.UUID) -> None:
        """Forget the cached resolutions of a user's personal tokens in a workspace, after their
        membership there changed or ended (they carry its role)."""
        rows = await self._pg.fetch_all(
            q.SELECT_PERSONAL_KEY_HASHES, {"user_id": user_id, "workspace_id": workspace_id}
        )
        await self.evict(*(bytes(r["key_hash"]) for r in rows))


ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3}


def required_role(opt: Mapping[str, Any], method: str) -> str:
    """The role a route needs: what it declares in `opt={"role": ...}`, else viewer for reads
    (GET/HEAD) and editor for writes. Routes that read through POST declare viewer."""
    declared: str | None = opt.get("role")
    if declared is not None:
        if declared not in ROLE_RANK:
            raise ValueError(f"unknown role {declared!r}")
        return declared
    return "viewer" if method in ("GET", "HEAD") else "editor"


class ApiKeyMiddleware(AbstractAuthenticationMiddleware):
    """Authenticates every route except those marked `opt={"exclude_from_auth": True}`, and checks
    the key's role against the role the route needs: the one place authorization happens."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        authenticator: Authenticator = connection.app.state.authenticator
        key = extract_key(connection.headers)
        cookie = connection.cookies.get(sessions.COOKIE)
        # A websocket scope has no method; every route here is HTTP, so this is always a str.
        method = str(connection.scope.get("method", "GET"))
        if key is None and cookie:
            principal = await authenticator.authenticate_session(
                cookie,
                connection.headers.get("x-tenant-id"),
                method=method,
                csrf_header=connection.headers.get(sessions.CSRF_HEADER),
                idle_seconds=connection.app.state.settings.auth.session_idle_seconds,
            )
        else:
            principal = await authenticator.authenticate(key, connection.headers.get("x-tenant-id"))
        needed = required_role(connection.route_handler.opt, method)
        if ROLE_RANK.get(principal.role, 0) < ROLE_RANK[needed]:
            raise Forbidden(f"this needs the {needed} role; the API key has {principal.role}", code="insufficient_role")
        return AuthenticationResult(user=principal, auth=None)


def auth_middleware() -> DefineMiddleware:
    return DefineMiddleware(ApiKeyMiddleware, exclude_from_auth_key="exclude_from_auth")
