"""Assemble the playground Litestar app. Providers and routes arrive with issue 8; today it
serves its health check (Postgres and Redis, the stores it will use) behind nginx's
`/api/v1/playground/` route."""

from __future__ import annotations

from litestar import Litestar

from app.core.http import Stores, create_service_app
from app.core.settings import PlaygroundSettings


def create_app(settings: PlaygroundSettings, *, stores: Stores | None = None) -> Litestar:
    return create_service_app(service="playground", settings=settings, stores=stores, route_handlers=[])
