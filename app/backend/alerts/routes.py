"""/api/v1/alert-rules: alert rules on a project (admins write, everyone reads) and each rule's
history of incidents (fired at, resolved at, values)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from app.backend.alerts import queries as q
from app.backend.alerts.schemas import (
    AlertRule,
    AlertRuleCreate,
    AlertRuleUpdate,
    Incident,
    incident_from_row,
    rule_from_row,
)
from app.backend.alerts.service import check_rule, link_webhooks
from app.backend.projects.service import own_project
from app.core.auth import Principal
from app.core.errors import NotFound
from app.core.postgres import Postgres

PATH = "/api/v1/alert-rules"
ADMIN = {"role": "admin"}
EDITABLE = (
    "name", "metric", "feedback_key", "window_minutes", "comparison", "threshold", "breaches_to_fire",
    "oks_to_resolve", "enabled",
)  # fmt: skip


async def _read(postgres: Postgres, workspace_id: uuid.UUID, rule_id: uuid.UUID) -> AlertRule:
    row = await postgres.fetch_one(q.SELECT_RULE, {"workspace_id": workspace_id, "id": rule_id})
    if row is None:
        raise NotFound("alert rule not found")
    return rule_from_row(row)


@post(PATH, status_code=201, opt=ADMIN)
async def create_alert_rule(
    data: JSONBody[AlertRuleCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> AlertRule:
    workspace = principal.workspace_id
    await own_project(postgres, workspace, data.project_id)
    fields = {f: getattr(data, f) for f in EDITABLE}
    check_rule(fields)
    rule_id = uuid.uuid4()
    async with postgres.transaction() as conn:
        await conn.execute(
            q.INSERT_RULE, {**fields, "id": rule_id, "workspace_id": workspace, "project_id": data.project_id}
        )
        await link_webhooks(conn, workspace, rule_id, data.webhook_ids)
    return await _read(postgres, workspace, rule_id)


@get(PATH)
async def list_alert_rules(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    project_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
) -> list[AlertRule]:
    params = {"workspace_id": principal.workspace_id, "project_id": project_id}
    return [rule_from_row(r) for r in await postgres.fetch_all(q.LIST_RULES, params)]


@get(PATH + "/{rule_id:uuid}")
async def read_alert_rule(
    rule_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> AlertRule:
    return await _read(postgres, principal.workspace_id, rule_id)


@patch(PATH + "/{rule_id:uuid}", opt=ADMIN)
async def update_alert_rule(
    rule_id: FromPath[uuid.UUID],
    data: JSONBody[AlertRuleUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> AlertRule:
    workspace = principal.workspace_id
    current = msgspec.structs.asdict(await _read(postgres, workspace, rule_id))
    changes = {f: getattr(data, f) for f in EDITABLE if getattr(data, f) is not None}
    fields = {f: current[f] for f in EDITABLE} | changes
    if "metric" in changes and changes["metric"] != "feedback_avg" and "feedback_key" not in changes:
        fields["feedback_key"] = None  # the key belonged to the old metric
    check_rule(fields)
    async with postgres.transaction() as conn:
        await conn.execute(q.SELECT_RULE_FOR_UPDATE, {"workspace_id": workspace, "id": rule_id})
        await conn.execute(q.UPDATE_RULE, {**fields, "workspace_id": workspace, "id": rule_id})
        if data.webhook_ids is not None:
            await link_webhooks(conn, workspace, rule_id, data.webhook_ids)
    return await _read(postgres, workspace, rule_id)


@delete(PATH + "/{rule_id:uuid}", status_code=204, opt=ADMIN)
async def delete_alert_rule(
    rule_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> None:
    row = await postgres.fetch_one(q.DELETE_RULE, {"workspace_id": principal.workspace_id, "id": rule_id})
    if row is None:
        raise NotFound("alert rule not found")


@get(PATH + "/{rule_id:uuid}/history")
async def alert_rule_history(
    *,
    rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[Incident]:
    """Incidents newest first: when the rule fired and resolved, and the values it saw then."""
    await _read(postgres, principal.workspace_id, rule_id)
    params = {"workspace_id": principal.workspace_id, "rule_id": rule_id, "limit": limit}
    return [incident_from_row(r) for r in await postgres.fetch_all(q.LIST_INCIDENTS, params)]


ROUTES: list[Any] = [
    create_alert_rule,
    list_alert_rules,
    read_alert_rule,
    update_alert_rule,
    delete_alert_rule,
    alert_rule_history,
]
