"""UI login sessions: a random token in an HttpOnly cookie, its hash as a Redis key with an idle
timeout (refreshed on use), and a CSRF token that state-changing requests must echo in a header.
Logging out deletes the key, so a stolen cookie stops working at once."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import cast

import msgspec
import redis.asyncio as aredis

from app.core import redis_keys

COOKIE = "th_session"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE = "th_csrf"  # readable by the UI's own scripts; see login


class Session(msgspec.Struct, frozen=True):
    user_id: uuid.UUID
    csrf: str


def _key(token: str) -> str:
    return redis_keys.SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest()


async def create(redis: aredis.Redis, user_id: uuid.UUID, idle_seconds: int) -> tuple[str, Session]:
    token = secrets.token_urlsafe(32)
    session = Session(user_id=user_id, csrf=secrets.token_urlsafe(24))
    await redis.set(_key(token), msgspec.msgpack.encode(session), ex=idle_seconds)
    return token, session


async def load(redis: aredis.Redis, token: str, idle_seconds: int) -> Session | None:
    key = _key(token)
    raw = await redis.get(key)
    if raw is None:
        return None
    await redis.expire(key, idle_seconds)  # idle timeout: every use extends it
    # The clients never decode responses (app/core/redis.py): Redis answers bytes.
    return msgspec.msgpack.decode(cast(bytes, raw), type=Session)


async def delete(redis: aredis.Redis, token: str) -> None:
    await redis.delete(_key(token))
