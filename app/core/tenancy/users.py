"""Users: email + argon2id password, and their workspace memberships with a role."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.errors import BadRequest

_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verifying against this when the email is unknown keeps the response time the same, so a
# login attempt cannot tell whether an account exists.
_DUMMY_HASH = _hasher.hash("tracehouse-dummy-password")

INSERT_USER = """
INSERT INTO users (id, email, display_name, password_hash) VALUES (%(id)s, %(email)s, %(name)s, %(hash)s)
ON CONFLICT (lower(email)) DO NOTHING
RETURNING id
"""
SELECT_USER_BY_EMAIL = """
SELECT id, email, display_name, password_hash, disabled_at FROM users WHERE lower(email) = lower(%(email)s)
"""
SELECT_USER = "SELECT id, email, display_name, disabled_at FROM users WHERE id = %(id)s"
UPSERT_MEMBER = """
INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (%(workspace_id)s, %(user_id)s, %(role)s)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role
"""
SELECT_MEMBERSHIPS = """
SELECT m.workspace_id, m.role, w.organization_id, w.name
FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
WHERE m.user_id = %(user_id)s
ORDER BY m.created_at, m.workspace_id
"""
MIN_PASSWORD = 12

Conn = psycopg.AsyncConnection[dict[str, Any]]


class PasswordTooWeak(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise PasswordTooWeak(f"passwords need at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def checked_hash(password: str) -> str:
    """hash_password for request handlers: a weak password is a 400 with the rule."""
    try:
        return hash_password(password)
    except PasswordTooWeak as exc:
        raise BadRequest(str(exc)) from None


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def ensure_user(conn: Conn, email: str, password: str, name: str = "") -> uuid.UUID:
    """Create the user unless the email exists; returns its id (the password is not changed)."""
    await conn.execute(
        INSERT_USER, {"id": uuid.uuid4(), "email": email.strip(), "name": name, "hash": hash_password(password)}
    )
    row = await (await conn.execute(SELECT_USER_BY_EMAIL, {"email": email.strip()})).fetchone()
    assert row is not None
    return row["id"]


async def add_member(conn: Conn, workspace_id: uuid.UUID, user_id: uuid.UUID, role: str) -> None:
    await conn.execute(UPSERT_MEMBER, {"workspace_id": workspace_id, "user_id": user_id, "role": role})
