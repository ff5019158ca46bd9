"""The one-time setup token: the way to the first admin account on an install that has none.

`migrate` calls `issue` on every start. While no account exists it makes a fresh token (the
previous one stops working: only the latest log line is to be trusted) and returns it to be
logged as a link; once an account exists it deletes any pending token. `POST /api/v1/setup`
spends the token to create the first admin (app/platform/setup/).

Both sides hold `queries.LOCK_USERS` while they decide, so "no account yet" stays true until they commit:
two setups cannot both create an admin, and a start replacing the token cannot race a setup
spending it. Only the token's sha256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import psycopg

from app.core.tenancy import queries as q

PATH = "/setup"

Conn = psycopg.AsyncConnection[dict[str, Any]]


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def matches(stored_hash: bytes | None, token: str) -> bool:
    """Whether `token` is the pending one; constant time, so timing reveals nothing of the hash."""
    return stored_hash is not None and hmac.compare_digest(bytes(stored_hash), hash_token(token))


async def issue(conn: Conn) -> str | None:
    """Inside a transaction: a new token when no account exists (replacing any pending one), else
    None after deleting any pending one. The caller logs the token only once this commits."""
    await conn.execute(q.LOCK_USERS)
    state = await (await conn.execute(q.SELECT_SET_UP)).fetchone()
    assert state is not None
    if state["set_up"]:
        await conn.execute(q.DELETE_TOKEN)
        return None
    token = secrets.token_urlsafe(32)  # 256 bits: guessing is out of the question, throttled or not
    await conn.execute(q.UPSERT_TOKEN, {"token_hash": hash_token(token)})
    return token
