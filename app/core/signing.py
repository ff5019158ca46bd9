"""Self-authenticating URLs: the SDK downloads attachments with a bare GET and no auth headers
(wire §3.1), so the URL itself carries what it grants and until when, signed with HMAC-SHA256.

Every token is typed by its purpose: each purpose signs with its own key derived from the
secret, so a token minted for one route never verifies at another (an example-attachment token
replayed at the run-attachment route is just an invalid link, a 404), and its claims are decoded
into that purpose's Struct, so a token that verifies always has the fields its route reads.

The secret is SECRET_KEY when set, else the per-installation secret `migrate` generated in
Postgres (instance_settings.signing_secret), loaded once at service start.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import time
from typing import Any, TypeVar

import msgspec

from app.core import queries as q
from app.core.postgres import Postgres

C = TypeVar("C", bound=msgspec.Struct)


class Purpose(enum.StrEnum):
    RUN_ATTACHMENT = "run-attachment"
    EXAMPLE_ATTACHMENT = "example-attachment"


class Signer:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("signing secret must be at least 16 characters")
        base = b"tracehouse-url-signing\x00" + secret.encode()
        self._keys = {p: hashlib.sha256(base + b"\x00" + p.value.encode()).digest() for p in Purpose}

    def sign(self, purpose: Purpose, claims: dict[str, Any], ttl_seconds: int) -> str:
        body = msgspec.json.encode({**claims, "exp": int(time.time()) + ttl_seconds})
        mac = hmac.new(self._keys[purpose], body, hashlib.sha256).digest()[:20]
        return _b64(body) + "." + _b64(mac)

    def verify(self, purpose: Purpose, token: str, claims_type: type[C]) -> C | None:
        """The claims of a valid, unexpired token of this purpose; None for anything else."""
        try:
            body_part, mac_part = token.split(".", 1)
            body = _unb64(body_part)
            expected = hmac.new(self._keys[purpose], body, hashlib.sha256).digest()[:20]
            if not hmac.compare_digest(expected, _unb64(mac_part)):
                return None
            claims = msgspec.json.decode(body)
            if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
                return None
            return msgspec.convert(claims, claims_type)
        except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
            return None


def reference(secret: str) -> str:
    """A stand-in for a secret (a share token) that can sit in a token's readable claims: it
    identifies the secret without revealing it (SHA-256 of a random UUID cannot be reversed)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def load_signer(postgres: Postgres, secret_key: str | None) -> Signer:
    if secret_key:
        return Signer(secret_key)
    row = await postgres.fetch_one(q.SELECT_SIGNING_SECRET)
    if row is None:
        raise RuntimeError("no signing secret: run migrations (python -m app.migrate) or set SECRET_KEY")
    return Signer(row["value"])
