"""Wire schemas of /api/v1/playground/providers. The API key goes in and never comes out: the
listing shows `has_api_key` and a masked hint."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Literal

import msgspec

Kind = Literal["openai", "anthropic", "openai_compatible"]
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _check_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(
            "name must be 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


class ProviderCreate(msgspec.Struct, kw_only=True):
    name: str
    kind: Kind
    base_url: str | None = None
    api_key: str | None = None
    default_model: str | None = None

    def __post_init__(self) -> None:
        self.name = _check_name(self.name.strip())
        if self.base_url is not None:
            self.base_url = self.base_url.strip().rstrip("/") or None
        if self.kind == "openai_compatible" and not self.base_url:
            raise ValueError("an openai_compatible provider needs a base_url, e.g. http://vllm.internal:8000/v1")
        if self.api_key is not None and not self.api_key.strip():
            self.api_key = None


class ProviderUpdate(msgspec.Struct, kw_only=True):
    """Keys left out stay; `api_key: null` removes the key, `base_url: null` restores the default."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    base_url: str | msgspec.UnsetType | None = msgspec.UNSET
    api_key: str | msgspec.UnsetType | None = msgspec.UNSET
    default_model: str | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.name, str):
            self.name = _check_name(self.name.strip())
        if isinstance(self.base_url, str):
            self.base_url = self.base_url.strip().rstrip("/") or None


class Provider(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    kind: Kind
    base_url: str | None
    default_model: str | None
    has_api_key: bool
    api_key_hint: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
