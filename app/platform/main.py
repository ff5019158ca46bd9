"""Assemble the platform Litestar app."""

from __future__ import annotations

from litestar import Litestar

from app.core import redis_keys
from app.core.http import Stores, create_service_app
from app.core.queue import queue
from app.core.redis import sync_redis
from app.core.settings import PlatformSettings
from app.platform.api_keys.routes import ApiKeysController
from app.platform.info import info
from app.platform.ingest.routes import ROUTES as INGEST_ROUTES
from app.platform.login.routes import ROUTES as LOGIN_ROUTES
from app.platform.members.routes import ROUTES as MEMBER_ROUTES
from app.platform.otel.routes import ROUTES as OTEL_ROUTES
from app.platform.setup.routes import ROUTES as SETUP_ROUTES
from app.platform.workspaces.routes import WorkspacesController, current_org


def create_app(settings: PlatformSettings, *, stores: Stores | None = None) -> Litestar:
    app = create_service_app(
        service="platform",
        settings=settings,
        stores=stores,
        route_handlers=[
            info,
            ApiKeysController,
            WorkspacesController,
            current_org,
            *INGEST_ROUTES,
            *OTEL_ROUTES,
            *LOGIN_ROUTES,
            *MEMBER_ROUTES,
            *SETUP_ROUTES,
        ],
    )
    # Producers use rq's synchronous client (from a thread); one connection pool per process.
    app.state.ingest_queue = queue(redis_keys.INGEST_QUEUE, sync_redis(settings.redis))
    # Workspace deletion hands its ClickHouse and Redis part to the queue service.
    app.state.default_queue = queue(redis_keys.DEFAULT_QUEUE, sync_redis(settings.redis))
    return app
