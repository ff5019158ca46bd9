"""Assemble the playground Litestar app: model providers, chat (invoke and stream), the
OpenAI-compatible pass-through and dataset runs, over one shared outbound HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
from litestar import Litestar

from app.core import redis_keys
from app.core.egress import Egress, EgressTransport
from app.core.http import Stores, create_service_app
from app.core.queue import queue
from app.core.redis import sync_redis
from app.core.settings import PlaygroundSettings
from playground.calls import Caller
from playground.chat.routes import ROUTES as CHAT_ROUTES
from playground.dataset_runs.routes import ROUTES as DATASET_RUN_ROUTES
from playground.dataset_runs.runner import DatasetRunner
from playground.model_providers.routes import ROUTES as PROVIDER_ROUTES
from playground.openai_compat.routes import ROUTES as OPENAI_ROUTES
from playground.secrets import SecretBox


def http_client(settings: PlaygroundSettings, egress: Egress) -> httpx.AsyncClient:
    """The one outbound client: explicit timeouts (read = the longest wait for the next byte),
    no redirects (a redirect could lead around the egress check), no proxy from the env, and the
    egress check on every request with the connection pinned to the addresses it approved."""
    p = settings.providers
    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=p.playground_connect_timeout, read=p.playground_read_timeout, write=30, pool=10),
        transport=EgressTransport(egress, limits=httpx.Limits(max_connections=200, max_keepalive_connections=40)),
        follow_redirects=False,
        trust_env=False,
    )


def create_app(settings: PlaygroundSettings, *, stores: Stores | None = None) -> Litestar:
    app: Litestar

    @asynccontextmanager
    async def outbound(_: Litestar) -> AsyncIterator[None]:
        async with http_client(settings, app.state.egress) as http, anyio.create_task_group() as group:
            state = app.state
            state.caller = Caller(http, state.ingest_queue)
            state.http = http
            state.task_group = group
            state.dataset_runner = DatasetRunner(
                state, state.stores.postgres, settings.providers.playground_dataset_concurrency
            )
            group.start_soon(state.dataset_runner.resume_orphans)
            try:
                yield
            finally:
                group.cancel_scope.cancel()  # dataset runs stop here; their leases lapse and they resume elsewhere

    app = create_service_app(
        service="playground",
        settings=settings,
        stores=stores,
        route_handlers=[*PROVIDER_ROUTES, *CHAT_ROUTES, *OPENAI_ROUTES, *DATASET_RUN_ROUTES],
        lifespans=[outbound],
    )
    app.state.secret_box = SecretBox(settings.providers.provider_secrets_key)
    app.state.egress = Egress(settings.providers.playground_allowed_hosts)
    app.state.ingest_queue = queue(redis_keys.INGEST_QUEUE, sync_redis(settings.redis))
    return app
