"""Query parameters shared by several resources."""

from __future__ import annotations

from typing import Any

import msgspec

from app.core.errors import BadRequest


def json_object_param(text: str, name: str) -> dict[str, Any]:
    """A query parameter that carries a JSON object (e.g. `metadata={"team": "evals"}`)."""
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        raise BadRequest(f'{name} must be a JSON object, e.g. {{"team": "evals"}}') from None
    if not isinstance(value, dict):
        raise BadRequest(f"{name} must be a JSON object")
    return value
