"""The backend ASGI application, as granian workers import it."""

from app.backend.main import create_app
from app.core.heap import freeze_heap
from app.core.logging import configure_logging
from app.core.settings import BackendSettings, load_settings_or_exit

_settings = load_settings_or_exit(BackendSettings, "backend")
configure_logging(_settings.log, "backend")
app = create_app(_settings)
freeze_heap()
