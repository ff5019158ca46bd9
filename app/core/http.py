"""The Litestar application shell every HTTP service shares.

`create_service_app` wires what is common to backend, platform and playground: store clients
opened and closed in the lifespan (kept on `app.state`), API-key authentication, the request id,
the one error mapping, and `GET /health` (200 when every store the service uses answers, else 503
with the failing store named). Services add only their own route handlers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aredis
from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.types.asgi_types import LifeSpanReceive, LifeSpanScope, LifeSpanSend

from app.core.auth import Authenticator, Principal, auth_middleware
from app.core.clickhouse import ClickHouse
from app.core.errors import EXCEPTION_HANDLERS
from app.core.logging import request_id_var
from app.core.metrics import CONTENT_TYPE, exposition, set_service, timed_send
from app.core.postgres import Postgres
from app.core.redis import async_redis
from app.core.version import VERSION

log = logging.getLogger("tracehouse.http")

# Matches nginx's client_max_body_size: the SDK sends batches of up to 20 MB (size_limit_bytes).
MAX_BODY_BYTES = 26_214_400


@dataclass
class Stores:
    postgres: Postgres | None = None
    clickhouse: ClickHouse | None = None
    redis: aredis.Redis | None = None


def stores_from_settings(settings: Any, service: str) -> Stores:
    return Stores(
        postgres=Postgres(settings.postgres, name=service) if hasattr(settings, "postgres") else None,
        clickhouse=ClickHouse(settings.clickhouse) if hasattr(settings, "clickhouse") else None,
        redis=async_redis(settings.redis) if hasattr(settings, "redis") else None,
    )


def _request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return value.decode("latin-1")[:128]
    return None


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Put the request id nginx assigned where every log record of this request finds it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        token = request_id_var.set(_request_id(scope))
        try:
            await app(scope, receive, send)
        finally:
            request_id_var.reset(token)

    return middleware


def response_headers_hook(service: str) -> Callable[[Message, Scope], Awaitable[None]]:
    """Echo the request id and name the answering service (`X-Tracehouse-Service`: what you want
    to know first when a route lands somewhere odd). A `before_send` hook, unlike middleware,
    also sees responses for unknown routes."""
    service_header = (b"x-tracehouse-service", service.encode())

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), service_header]
            request_id = _request_id(scope)
            if request_id:
                headers.append((b"x-request-id", request_id.encode("latin-1")))
            message["headers"] = headers

    return before_send


async def _check(name: str, probe: Any) -> tuple[str, str]:
    try:
        await asyncio.wait_for(probe(), timeout=3)
        return name, "ok"
    except Exception as exc:
        # The exception's text can carry a DSN host, a user name or a server's message: it goes to
        # the log, the answer names only the failing store and the exception's type.
        log.warning("health: %s failed: %s: %s", name, type(exc).__name__, exc)
        return name, f"error: {type(exc).__name__}"


@get("/health", opt={"exclude_from_auth": True}, include_in_schema=False)
async def health(state: State) -> Response[dict[str, Any]]:
    stores: Stores = state.stores
    probes = []
    if stores.postgres:
        probes.append(_check("postgres", stores.postgres.ping))
    if stores.clickhouse:
        probes.append(_check("clickhouse", stores.clickhouse.aping))
    if stores.redis:
        probes.append(_check("redis", stores.redis.ping))
    checks = dict(await asyncio.gather(*probes))
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unhealthy", "service": state.service, "version": VERSION, "checks": checks}
    return Response(body, status_code=200 if healthy else 503)


@get("/metrics", opt={"exclude_from_auth": True}, include_in_schema=False, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """Prometheus exposition of this service (every granian worker's values, summed). Internal:
    nginx never routes `/metrics` to a service's API location; it serves it only as
    `/metrics/<service>` with the METRICS_TOKEN (docs/operations.md, "Metrics")."""
    return Response(exposition(), media_type=CONTENT_TYPE)


class ServiceApp(Litestar):
    """Litestar, with every HTTP answer counted and timed (app/core/metrics.py). Wrapping the app
    itself, rather than adding a middleware, also counts answers for unknown routes and methods,
    which Litestar gives before any middleware runs."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        if scope["type"] == ScopeType.HTTP:
            send = timed_send(send, scope)
        await super().__call__(scope, receive, send)


def openapi_config(service: str) -> OpenAPIConfig:
    """The service's OpenAPI schema. Built for the API fuzz tests (tests/core/test_fuzz_api.py), which
    merge the three services' schemas in-process. It is served only at the service's own
    `/schema/openapi.json`, behind an API key like every route, and nginx routes only `/api/`
    there, so it is not public: the appliance's public surface stays the LangSmith API."""
    return OpenAPIConfig(
        title=f"Tracehouse {service}",
        version=VERSION,
        path="/schema",
        render_plugins=[JsonRenderPlugin()],
        create_examples=False,
    )


def _provide(name: str) -> Provide:
    def provider(state: State) -> Any:
        return getattr(state.stores, name)

    return Provide(provider, sync_to_thread=False)


def _provide_principal(request: Request[Principal, Any, Any]) -> Principal:
    return request.user


def create_service_app(
    *,
    service: str,
    settings: Any,
    route_handlers: Sequence[Any],
    stores: Stores | None = None,
    on_startup: Sequence[Any] = (),
    lifespans: Sequence[Any] = (),
) -> Litestar:
    stores = stores or stores_from_settings(settings, service)
    set_service(service)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if stores.postgres:
            await stores.postgres.open()
        log.info("%s %s started", service, VERSION)
        try:
            yield
        finally:
            if stores.postgres:
                await stores.postgres.close()
            if stores.clickhouse:
                stores.clickhouse.close()
            if stores.redis:
                await stores.redis.aclose()

    state: dict[str, Any] = {"stores": stores, "service": service, "settings": settings}
    if stores.postgres and stores.redis and hasattr(settings, "auth"):
        state["authenticator"] = Authenticator(
            stores.postgres, stores.redis, cache_seconds=settings.auth.api_key_cache_seconds
        )
    return ServiceApp(
        route_handlers=[health, metrics, *route_handlers],
        lifespan=[lifespan, *lifespans],
        on_startup=list(on_startup),
        state=State(state),
        middleware=[request_id_middleware, auth_middleware()],
        before_send=[response_headers_hook(service)],
        exception_handlers=EXCEPTION_HANDLERS,
        dependencies={
            "postgres": _provide("postgres"),
            "clickhouse": _provide("clickhouse"),
            "redis": _provide("redis"),
            "principal": Provide(_provide_principal, sync_to_thread=False),
        },
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=openapi_config(service),
        logging_config=None,  # app.core.logging configured the process; keep one format
        debug=False,
    )
