"""The platform ASGI application, as granian workers import it."""

from app.core.heap import freeze_heap
from app.core.logging import configure_logging
from app.core.settings import PlatformSettings, load_settings_or_exit
from app.platform.main import create_app

_settings = load_settings_or_exit(PlatformSettings, "platform")
configure_logging(_settings.log, "platform")
app = create_app(_settings)
freeze_heap()
