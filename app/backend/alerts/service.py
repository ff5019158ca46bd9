"""Alert rules: the checks a rule must pass, and writing it with its webhooks in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from app.backend.alerts import queries as q
from app.core.errors import BadRequest, Unprocessable


def check_rule(rule: dict[str, Any]) -> None:
    if rule["metric"] == "feedback_avg" and not rule.get("feedback_key"):
        raise BadRequest("feedback_key is required for the feedback_avg metric")
    if rule["metric"] != "feedback_avg" and rule.get("feedback_key"):
        raise BadRequest("feedback_key applies only to the feedback_avg metric")
    if rule["metric"] == "error_rate" and not 0 <= rule["threshold"] <= 1:
        raise BadRequest("an error_rate threshold is a fraction between 0 and 1")


async def link_webhooks(
    conn: psycopg.AsyncConnection[dict[str, Any]],
    workspace_id: uuid.UUID,
    rule_id: uuid.UUID,
    webhook_ids: list[uuid.UUID],
) -> None:
    """Replace the rule's webhooks; an id that is not one of the workspace's webhooks is a 422
    (inside the caller's transaction, so nothing is kept)."""
    wanted = sorted(set(webhook_ids))
    scope = {"workspace_id": workspace_id, "id": rule_id}
    await conn.execute(q.DELETE_RULE_WEBHOOKS, scope)
    if not wanted:
        return
    linked = await conn.execute(q.INSERT_RULE_WEBHOOKS, {**scope, "webhook_ids": wanted})
    if linked.rowcount != len(wanted):
        raise Unprocessable("webhook_ids names a webhook this workspace does not have")
