"""API key format, generation and hashing.

A key looks like `th_<prefix>_<secret>`: `th_` marks it as ours (secret scanners can match it),
the 10-character prefix is stored in clear for lookup and display, and the 40-character secret
carries ~238 bits of entropy. We store only SHA-256 of the whole key: with that much entropy a
slow password hash buys nothing, and a fast one keeps authentication off the hot path's profile.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string

KEY_MARK = "th_"
_ALPHABET = string.ascii_letters + string.digits
_PREFIX_CHARS = string.ascii_lowercase + string.digits
_KEY_RE = re.compile(r"th_([a-z0-9]{10})_([A-Za-z0-9]{40})")


def generate_key() -> tuple[str, str]:
    """Return (full key, prefix)."""
    prefix = "".join(secrets.choice(_PREFIX_CHARS) for _ in range(10))
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(40))
    return f"{KEY_MARK}{prefix}_{secret}", prefix


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_prefix(key: str) -> str | None:
    """The lookup prefix of a well-formed key, or None for anything else."""
    match = _KEY_RE.fullmatch(key)
    return match.group(1) if match else None
