"""Provider API keys at rest: AES-256-GCM with PROVIDER_SECRETS_KEY (from .env), bound to the
workspace and provider, so a ciphertext copied to another row does not decrypt there."""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core.errors import BadRequest, TracehouseError

NONCE_BYTES = 12


class SecretUnreadable(TracehouseError):
    status_code = 409
    code = "provider_secret_unreadable"


class SecretBox:
    def __init__(self, key_b64: str | None) -> None:
        self._aead = AESGCM(base64.b64decode(key_b64)) if key_b64 else None

    def _require(self) -> AESGCM:
        if self._aead is None:
            raise BadRequest("provider keys cannot be stored: set PROVIDER_SECRETS_KEY in .env (see .env.example)")
        return self._aead

    def encrypt(self, plaintext: str, *, workspace_id: uuid.UUID, provider_id: uuid.UUID) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = workspace_id.bytes + provider_id.bytes
        return nonce + self._require().encrypt(nonce, plaintext.encode(), aad)

    def decrypt(self, blob: bytes, *, workspace_id: uuid.UUID, provider_id: uuid.UUID) -> str:
        try:
            plain = self._require().decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], workspace_id.bytes + provider_id.bytes
            )
        except InvalidTag:
            raise SecretUnreadable(
                "the provider's stored key cannot be decrypted (PROVIDER_SECRETS_KEY changed?); enter the key again"
            ) from None
        return plain.decode()


def hint(key: str) -> str:
    """What a listing may show of a key: its kind prefix and last four characters."""
    if len(key) <= 8:
        return "…" + key[-2:] if len(key) > 2 else "…"
    prefix = key[:3] if key.startswith(("sk-", "gsk", "xai")) else ""
    return f"{prefix}…{key[-4:]}"
