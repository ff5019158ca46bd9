"""Assemble the backend Litestar app from its resource routers."""

from __future__ import annotations

from litestar import Litestar

from app.backend.projects.routes import ProjectsController
from app.backend.runs.routes import ROUTES as RUN_ROUTES
from app.core.http import Stores, create_service_app
from app.core.settings import BackendSettings


def create_app(settings: BackendSettings, *, stores: Stores | None = None) -> Litestar:
    return create_service_app(
        service="backend", settings=settings, stores=stores, route_handlers=[ProjectsController, *RUN_ROUTES]
    )
