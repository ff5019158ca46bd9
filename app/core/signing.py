"""Self-authenticating URLs: the SDK downloads attachments with a bare GET and no auth headers
(wire §3.1), so the URL itself carries what it grants and until when, signed with HMAC-SHA256.

The secret is SECRET_KEY when set, else the per-installation secret `migrate` generated in
Postgres (instance_settings.signing_secret), loaded once at service start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import msgspec

from app.core.postgres import Postgres

SELECT_SECRET = "SELECT value FROM instance_settings WHERE key = 'signing_secret'"


class Signer:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("signing secret must be at least 16 characters")
        self._key = hashlib.sha256(b"tracehouse-url-signing\x00" + secret.encode()).digest()

    def sign(self, claims: dict[str, Any], ttl_seconds: int) -> str:
        body = msgspec.json.encode({**claims, "exp": int(time.time()) + ttl_seconds})
        mac = hmac.new(self._key, body, hashlib.sha256).digest()[:20]
        return _b64(body) + "." + _b64(mac)

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a valid, unexpired token; None for anything else."""
        try:
            body_part, mac_part = token.split(".", 1)
            body = _unb64(body_part)
            if not hmac.compare_digest(hmac.new(self._key, body, hashlib.sha256).digest()[:20], _unb64(mac_part)):
                return None
            claims = msgspec.json.decode(body)
        except (ValueError, msgspec.DecodeError):
            return None
        if not isinstance(claims, dict) or claims.get("exp", 0) < time.time():
            return None
        return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def load_signer(postgres: Postgres, secret_key: str | None) -> Signer:
    if secret_key:
        return Signer(secret_key)
    row = await postgres.fetch_one(SELECT_SECRET)
    if row is None:
        raise RuntimeError("no signing secret: run migrations (python -m app.migrate) or set SECRET_KEY")
    return Signer(row["value"])
