"""Assemble the backend Litestar app from its resource routers."""

from __future__ import annotations

from litestar import Litestar

from app.backend.alerts.routes import ROUTES as ALERT_ROUTES
from app.backend.annotation_queues.routes import ROUTES as ANNOTATION_QUEUE_ROUTES
from app.backend.datasets.example_routes import ROUTES as EXAMPLE_ROUTES
from app.backend.datasets.routes import DatasetsController
from app.backend.datasets.sharing import ROUTES as DATASET_SHARE_ROUTES
from app.backend.datasets.transfer import ROUTES as DATASET_TRANSFER_ROUTES
from app.backend.deletions.routes import ROUTES as DELETION_ROUTES
from app.backend.experiments.routes import ROUTES as EXPERIMENT_ROUTES
from app.backend.feedback.routes import FeedbackController
from app.backend.feedback.tokens import ROUTES as TOKEN_ROUTES
from app.backend.feedback_configs.routes import ROUTES as FEEDBACK_CONFIG_ROUTES
from app.backend.model_prices.routes import ROUTES as MODEL_PRICE_ROUTES
from app.backend.monitoring.routes import ROUTES as MONITORING_ROUTES
from app.backend.projects.routes import ProjectsController
from app.backend.prompts.routes import ROUTES as PROMPT_ROUTES
from app.backend.retention.routes import ROUTES as RETENTION_ROUTES
from app.backend.runs.routes import ROUTES as RUN_ROUTES
from app.backend.sharing.routes import ROUTES as SHARE_ROUTES
from app.backend.storage.routes import ROUTES as STORAGE_ROUTES
from app.backend.threads.routes import ROUTES as THREAD_ROUTES
from app.backend.v2.experiments import ROUTES as V2_EXPERIMENT_ROUTES
from app.backend.v2.routes import ROUTES as V2_ROUTES
from app.backend.v2.sharing import ROUTES as V2_SHARE_ROUTES
from app.backend.v2.threads import ROUTES as V2_THREAD_ROUTES
from app.backend.webhooks.routes import ROUTES as WEBHOOK_ROUTES
from app.core.http import Stores, create_service_app
from app.core.queue import queue
from app.core.redis import sync_redis
from app.core.settings import BackendSettings


def create_app(settings: BackendSettings, *, stores: Stores | None = None) -> Litestar:
    app = create_service_app(
        service="backend",
        settings=settings,
        stores=stores,
        route_handlers=[
            ProjectsController,
            FeedbackController,
            DatasetsController,
            *TOKEN_ROUTES,
            *FEEDBACK_CONFIG_ROUTES,
            *DELETION_ROUTES,
            *STORAGE_ROUTES,
            *RUN_ROUTES,
            *SHARE_ROUTES,
            *DATASET_TRANSFER_ROUTES,
            *DATASET_SHARE_ROUTES,
            *EXAMPLE_ROUTES,
            *EXPERIMENT_ROUTES,
            *PROMPT_ROUTES,
            *MONITORING_ROUTES,
            *THREAD_ROUTES,
            *ANNOTATION_QUEUE_ROUTES,
            *V2_ROUTES,
            *V2_SHARE_ROUTES,
            *V2_THREAD_ROUTES,
            *V2_EXPERIMENT_ROUTES,
            *RETENTION_ROUTES,
            *WEBHOOK_ROUTES,
            *ALERT_ROUTES,
            *MODEL_PRICE_ROUTES,
        ],
    )
    # Background work the API hands off (project deletion), through rq's synchronous client.
    app.state.default_queue = queue("default", sync_redis(settings.redis))
    return app
