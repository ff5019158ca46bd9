"""Users: email + argon2id password, and their workspace memberships with a role.

Who may control an account: its owner, who proves it by logging in. An account created with
`POST /users` or by accepting an invitation is managed by that organization
(`users.organization_id`: its admins chose, or could have chosen, the first password; nothing
verifies email addresses), and never joins another organization's workspace. Nothing here
changes an existing account's password, and nothing answers differently to say whether an email
outside the caller's organization has an account.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.errors import BadRequest
from app.core.tenancy import queries as q

_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verifying against this when the email is unknown keeps the response time the same, so a
# login attempt cannot tell whether an account exists.
_DUMMY_HASH = _hasher.hash("tracehouse-dummy-password")

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
        q.INSERT_USER,
        {
            "id": uuid.uuid4(),
            "email": email.strip(),
            "name": name,
            "hash": hash_password(password),
            "organization_id": None,
        },
    )
    row = await (await conn.execute(q.SELECT_USER_BY_EMAIL, {"email": email.strip()})).fetchone()
    assert row is not None
    user_id: uuid.UUID = row["id"]
    return user_id


async def claim_initial_admin(conn: Conn, email: str, password: str, organization_id: uuid.UUID) -> uuid.UUID | None:
    """The INITIAL_ADMIN_* account's id, created if missing; None when the email belongs to an
    account this configuration cannot vouch for.

    It runs on every start, so it must not hand the admin role to an account somebody else made
    with that email (say, before the operator set the variable): an existing account qualifies
    only if INITIAL_ADMIN_PASSWORD is its password, and it is not managed by another organization.
    """
    created = await (
        await conn.execute(
            q.INSERT_USER,
            {
                "id": uuid.uuid4(),
                "email": email.strip(),
                "name": "admin",
                "hash": hash_password(password),
                "organization_id": None,
            },
        )
    ).fetchone()
    if created is not None:
        created_id: uuid.UUID = created["id"]
        return created_id
    row = await (await conn.execute(q.SELECT_USER_BY_EMAIL, {"email": email.strip()})).fetchone()
    if row is None or row["organization_id"] not in (None, organization_id):
        return None
    return row["id"] if verify_password(row["password_hash"], password) else None


async def add_member(conn: Conn, workspace_id: uuid.UUID, user_id: uuid.UUID, role: str) -> None:
    await conn.execute(q.UPSERT_MEMBER, {"workspace_id": workspace_id, "user_id": user_id, "role": role})
