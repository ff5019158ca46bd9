"""Redis clients: async for the HTTP services (caches), sync for rq (queues)."""

from __future__ import annotations

import redis
import redis.asyncio as aredis

from app.core.settings import RedisSettings


def async_redis(settings: RedisSettings) -> aredis.Redis:
    return aredis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, socket_timeout=5)


def sync_redis(settings: RedisSettings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5)
