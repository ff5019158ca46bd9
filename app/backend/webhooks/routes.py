"""/api/v1/webhooks: a workspace's webhook destinations, "send test" and the delivery log.
Admin only, reads included: a webhook URL is often a credential itself (Slack's are)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from app.backend.webhooks import queries as q
from app.backend.webhooks.schemas import (
    Delivery,
    TestSent,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
    delivery_from_row,
    webhook_from_row,
)
from app.backend.webhooks.service import check_url, send_test
from app.core.auth import Principal
from app.core.egress import Egress
from app.core.errors import NotFound
from app.core.postgres import Postgres
from app.core.webhooks.delivery import new_secret

PATH = "/api/v1/webhooks"
ADMIN = {"role": "admin"}


def _egress(request: Request[Any, Any, Any]) -> Egress:
    return Egress(request.app.state.settings.alerts.playground_allowed_hosts)


@post(PATH, status_code=201, opt=ADMIN)
async def create_webhook(
    request: Request[Any, Any, Any],
    data: JSONBody[WebhookCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Webhook:
    url = await check_url(_egress(request), data.url)
    secret = data.secret or new_secret()
    params = {
        "id": uuid.uuid4(),
        "workspace_id": principal.workspace_id,
        "name": data.name,
        "url": url,
        "secret": secret,
        "format": data.format,
        "enabled": data.enabled,
        "storage_events": data.storage_events,
    }
    row = await postgres.fetch_one(q.INSERT_WEBHOOK, params)
    return webhook_from_row(row, secret=None if data.secret else secret)


@get(PATH, opt=ADMIN)
async def list_webhooks(principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]) -> list[Webhook]:
    rows = await postgres.fetch_all(q.LIST_WEBHOOKS, {"workspace_id": principal.workspace_id})
    return [webhook_from_row(r) for r in rows]


async def _own(postgres: Postgres, principal: Principal, webhook_id: uuid.UUID) -> dict[str, Any]:
    row = await postgres.fetch_one(q.SELECT_WEBHOOK, {"workspace_id": principal.workspace_id, "id": webhook_id})
    if row is None:
        raise NotFound("webhook not found")
    return dict(row)


@get(PATH + "/{webhook_id:uuid}", opt=ADMIN)
async def read_webhook(
    webhook_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> Webhook:
    return webhook_from_row(await _own(postgres, principal, webhook_id))


@patch(PATH + "/{webhook_id:uuid}", opt=ADMIN)
async def update_webhook(
    request: Request[Any, Any, Any],
    webhook_id: FromPath[uuid.UUID],
    data: JSONBody[WebhookUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Webhook:
    await _own(postgres, principal, webhook_id)
    url = None if data.url is None else await check_url(_egress(request), data.url)
    params = {
        "workspace_id": principal.workspace_id,
        "id": webhook_id,
        "name": data.name,
        "url": url,
        "secret": data.secret,
        "format": data.format,
        "enabled": data.enabled,
        "storage_events": data.storage_events,
    }
    row = await postgres.fetch_one(q.UPDATE_WEBHOOK, params)
    if row is None:
        raise NotFound("webhook not found")
    return webhook_from_row(row)


@delete(PATH + "/{webhook_id:uuid}", status_code=204, opt=ADMIN)
async def delete_webhook(
    webhook_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> None:
    row = await postgres.fetch_one(q.DELETE_WEBHOOK, {"workspace_id": principal.workspace_id, "id": webhook_id})
    if row is None:
        raise NotFound("webhook not found")


@post(PATH + "/{webhook_id:uuid}/test", status_code=202, opt=ADMIN)
async def test_webhook(
    request: Request[Any, Any, Any],
    webhook_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> TestSent:
    """Queues a `webhook.test` event for this webhook; its delivery shows in the log."""
    await _own(postgres, principal, webhook_id)
    sent = await send_test(postgres, request.app.state.default_queue, principal.workspace_id, webhook_id)
    return TestSent(event_id=sent["event_id"], delivery_id=sent["delivery_id"])


@get(PATH + "/{webhook_id:uuid}/deliveries", opt=ADMIN)
async def list_deliveries(
    *,
    webhook_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
) -> list[Delivery]:
    await _own(postgres, principal, webhook_id)
    params = {"workspace_id": principal.workspace_id, "webhook_id": webhook_id, "limit": limit}
    return [delivery_from_row(r) for r in await postgres.fetch_all(q.LIST_DELIVERIES, params)]


ROUTES: list[Any] = [
    create_webhook,
    list_webhooks,
    read_webhook,
    update_webhook,
    delete_webhook,
    test_webhook,
    list_deliveries,
]
