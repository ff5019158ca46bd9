"""Per-process resources of a queue worker, built once from its settings.

rq calls job functions by dotted name with only their arguments, so the connections a job needs
live here, created on first use (in the worker, `python -m worker` builds them at start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import redis

from app.core.clickhouse import ClickHouse
from app.core.deletions import Tombstones
from app.core.redis import sync_redis
from app.core.settings import QueueSettings, load_settings
from worker.projects import ProjectResolver


@dataclass
class WorkerContext:
    settings: QueueSettings
    redis: redis.Redis
    projects: ProjectResolver
    tombstones: Tombstones = field(default_factory=Tombstones)

    def clickhouse(self, timeout: float = 30.0) -> ClickHouse:
        return ClickHouse(self.settings.clickhouse, pool_size=1, timeout=timeout)


@cache
def context() -> WorkerContext:
    settings = load_settings(QueueSettings)
    return WorkerContext(
        settings=settings,
        redis=sync_redis(settings.redis),
        projects=ProjectResolver(settings.postgres.postgres_dsn),
    )
