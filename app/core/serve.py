"""Start an HTTP service under granian, after its settings have been validated.

Settings are loaded here first so a bad value stops the process with a message naming the key,
before granian spawns workers that would each fail with a traceback.
"""

from __future__ import annotations

from granian import Granian
from granian.constants import Interfaces

from app.core.logging import configure_logging
from app.core.metrics import prepare_multiprocess_dir, remove_multiprocess_dir
from app.core.settings import BackendSettings, PlatformSettings, PlaygroundSettings


def serve(target: str, settings: BackendSettings | PlatformSettings | PlaygroundSettings, service: str) -> None:
    configure_logging(settings.log, service)
    server = settings.server
    # Before granian forks its workers, which inherit the directory through the environment.
    metrics_dir = prepare_multiprocess_dir(service)
    try:
        Granian(
            target,
            address=server.host,
            port=server.port,
            interface=Interfaces.ASGI,
            workers=server.workers,
            log_enabled=False,  # our own handler (app.core.logging) formats everything
        ).serve()
    finally:
        remove_multiprocess_dir(metrics_dir)
