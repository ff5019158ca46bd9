"""Feedback configs: checking a config against its type, and registering one for a key (from the
feedback-configs API, and from feedback that carries a `feedback_config`)."""

from __future__ import annotations

import math
import uuid
from typing import Any

from psycopg.types.json import Jsonb

from app.backend.feedback_configs import queries as q
from app.core.auth import Principal
from app.core.errors import BadRequest, Conflict, Forbidden, Unprocessable
from app.core.postgres import Postgres

TYPES = ("continuous", "categorical", "freeform")
FIELDS = {
    "continuous": {"type", "min", "max"},
    "categorical": {"type", "categories", "allows_multiple_categories"},
    "freeform": {"type"},
}


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadRequest(f"feedback_config.{name} must be a finite number")
    return float(value)


def categories(raw: Any) -> list[dict[str, Any]]:
    """Categories as stored: a float value and an optional label, values and labels each unique."""
    if not isinstance(raw, list):
        raise BadRequest("feedback_config.categories must be a list of {value, label}")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"value", "label"}:
            raise BadRequest(f"feedback_config.categories[{i}] must be an object with value and label")
        label = item.get("label")
        if label is not None and not isinstance(label, str):
            raise BadRequest(f"feedback_config.categories[{i}].label must be a string")
        out.append({"value": _number(item.get("value"), f"categories[{i}].value"), "label": label})
    values = [c["value"] for c in out]
    labels = [c["label"] for c in out if c["label"] is not None]
    if len(set(values)) != len(values) or len(set(labels)) != len(labels):
        raise BadRequest("feedback_config.categories must not repeat a value or a label")
    return out


def normalize(config: dict[str, Any]) -> dict[str, Any]:
    """The config as stored and answered; anything its type does not have is refused by name, so
    a typo (`maximum`) is not silently dropped."""
    kind = config.get("type")
    if kind not in TYPES:
        raise BadRequest(f"feedback_config.type must be one of {', '.join(TYPES)}")
    unknown = set(config) - FIELDS[kind]
    if unknown:
        raise BadRequest(f"feedback_config.{sorted(unknown)[0]} does not apply to {kind} feedback")
    if kind == "continuous":
        low = None if config.get("min") is None else _number(config["min"], "min")
        high = None if config.get("max") is None else _number(config["max"], "max")
        if low is not None and high is not None and low >= high:
            raise BadRequest("feedback_config.min must be less than feedback_config.max")
        return {"type": kind, "min": low, "max": high}
    if kind == "categorical":
        cats = categories(config.get("categories"))
        if not cats:
            raise BadRequest("feedback_config.categories must name at least one category")
        multiple = config.get("allows_multiple_categories", False)
        if not isinstance(multiple, bool):
            raise BadRequest("feedback_config.allows_multiple_categories must be a boolean")
        return {"type": kind, "categories": cats, "allows_multiple_categories": multiple}
    return {"type": kind}


def edit_categories(
    config: dict[str, Any], add: list[dict[str, Any]] | None, remove: list[float] | None
) -> dict[str, Any]:
    if config["type"] != "categorical":
        raise Unprocessable("categories can only be added to or removed from a categorical config")
    cats = [c for c in config["categories"] if c["value"] not in set(remove or [])]
    if remove is not None and len(cats) < 2:
        raise Unprocessable("removing these categories would leave fewer than two")
    return normalize({**config, "categories": cats + categories(add or [])})


async def register(
    postgres: Postgres,
    principal: Principal,
    key: str,
    config: dict[str, Any],
    *,
    is_lower_score_better: bool | None = None,
    is_enforced: bool = False,
    keep_existing: bool = False,
) -> dict[str, Any]:
    """Create the key's config, or return the existing one when it is the same (so a retried
    create is harmless). A different config for a key that has one is refused: 409 when the
    existing one is enforced, else 400 like LangSmith's "Feedback config already exists".
    `keep_existing` answers the existing config instead (feedback that carries a config must not
    be refused because its key was configured differently)."""
    if not key or len(key) > 512:
        raise BadRequest("feedback_key must be 1 to 512 characters")
    if is_enforced and principal.role != "admin":
        raise Forbidden("only workspace admins may create an enforced feedback config")
    config = normalize(config)
    scope = {"workspace_id": principal.workspace_id, "feedback_key": key}
    if is_lower_score_better is None:
        # The direction is the key's: a key configured before keeps it.
        previous = await postgres.fetch_one(q.SELECT_KEY_DIRECTION, scope)
        is_lower_score_better = bool(previous and previous["is_lower_score_better"])
    params = {
        **scope,
        "id": uuid.uuid4(),
        "feedback_config": Jsonb(config),
        "is_lower_score_better": is_lower_score_better,
        "is_enforced": is_enforced,
    }
    created = await postgres.fetch_one(q.INSERT_CONFIG, params)
    if created is not None:
        return dict(created)
    existing = await postgres.fetch_one(q.SELECT_LIVE, scope)
    if existing is None:  # deleted between the insert and this read; a retry creates it
        raise Conflict(f"feedback config {key!r} changed concurrently; retry")
    same = existing["feedback_config"] == config and (not is_enforced or existing["is_enforced"])
    if same or keep_existing:
        return dict(existing)
    if existing["is_enforced"]:
        raise Conflict(f"feedback key {key!r} already has an enforced config")
    raise BadRequest(f"Feedback config already exists for key {key!r} with a different config")
