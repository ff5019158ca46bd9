"""Assemble the platform Litestar app."""

from __future__ import annotations

from litestar import Litestar

from app.core.http import Stores, create_service_app
from app.core.settings import PlatformSettings
from app.platform.api_keys.routes import ApiKeysController
from app.platform.info import info
from app.platform.workspaces.routes import WorkspacesController


def create_app(settings: PlatformSettings, *, stores: Stores | None = None) -> Litestar:
    return create_service_app(
        service="platform",
        settings=settings,
        stores=stores,
        route_handlers=[info, ApiKeysController, WorkspacesController],
    )
