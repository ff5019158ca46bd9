"""Redis clients: async for the HTTP services (caches), sync for rq (queues) and the writer."""

from __future__ import annotations

import socket

import redis
import redis.asyncio as aredis

from app.core.settings import RedisSettings

# A blocked read (the rq worker's BLMOVE, the writer's XREADGROUP) on a connection whose peer
# vanished without a FIN, as when the Redis container is killed and its network torn down at the
# same moment, would otherwise wait forever: the process looks alive and healthy and moves no
# work. TCP keepalive probes an idle connection after 10 s and gives up after 3 unanswered probes
# 5 s apart, so such a read fails within ~25 s with a ConnectionError, which every loop retries.
KEEPALIVE_OPTIONS = {
    socket.TCP_KEEPIDLE: 10,
    socket.TCP_KEEPINTVL: 5,
    socket.TCP_KEEPCNT: 3,
}


def async_redis(settings: RedisSettings) -> aredis.Redis:
    return aredis.Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=5,
        socket_timeout=5,
        socket_keepalive=True,
        socket_keepalive_options=KEEPALIVE_OPTIONS,
    )


def sync_redis(settings: RedisSettings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=5,
        socket_keepalive=True,
        socket_keepalive_options=KEEPALIVE_OPTIONS,
    )
