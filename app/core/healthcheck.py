"""`python -m app.core.healthcheck SERVICE`: exit 0 when SERVICE in this container is healthy.

Used by compose healthchecks and by the native runner, so both judge health the same way.
HTTP services are asked for their own `/health` (which checks their stores); the queue worker is
healthy when Redis and ClickHouse answer and a worker of this host is registered in Redis.
"""

from __future__ import annotations

import socket
import sys
import urllib.request

from app.core import redis_keys
from app.core.settings import (
    BackendSettings,
    PlatformSettings,
    PlaygroundSettings,
    QueueSettings,
    SettingsError,
    load_settings,
)

HTTP_SERVICES: dict[str, type[BackendSettings | PlatformSettings | PlaygroundSettings]] = {
    "backend": BackendSettings,
    "platform": PlatformSettings,
    "playground": PlaygroundSettings,
}


def check_http(service: str) -> str | None:
    settings = load_settings(HTTP_SERVICES[service])
    url = f"http://127.0.0.1:{settings.server.port}/health"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return None if response.status == 200 else f"{url} answered {response.status}"
    except Exception as exc:
        return f"{url}: {exc}"


def check_queue() -> str | None:
    from rq import Worker

    from app.core.clickhouse import ClickHouse
    from app.core.redis import sync_redis

    settings = load_settings(QueueSettings)
    try:
        connection = sync_redis(settings.redis)
        connection.ping()
        ClickHouse(settings.clickhouse, pool_size=1).ping()
        mine = f"{redis_keys.WORKER_NAME_PREFIX}.{socket.gethostname()}."
        if not any(w.name.startswith(mine) for w in Worker.all(connection=connection)):
            return "no queue worker registered for this host"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in {*HTTP_SERVICES, "queue"}:
        print("usage: python -m app.core.healthcheck backend|platform|playground|queue", file=sys.stderr)
        return 2
    try:
        problem = check_queue() if argv[0] == "queue" else check_http(argv[0])
    except SettingsError as exc:
        problem = str(exc)
    if problem:
        print(f"{argv[0]} unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
