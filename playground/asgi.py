"""The playground ASGI application, as granian workers import it."""

from app.core.heap import freeze_heap
from app.core.logging import configure_logging
from app.core.settings import PlaygroundSettings, load_settings_or_exit
from playground.main import create_app

_settings = load_settings_or_exit(PlaygroundSettings, "playground")
configure_logging(_settings.log, "playground")
app = create_app(_settings)
freeze_heap()
