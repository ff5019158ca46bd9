"""Queue names and the factory both producers (platform) and workers use."""

from __future__ import annotations

import redis
from rq import Queue

from worker.serializer import MsgspecSerializer

INGEST = "ingest"
DEFAULT = "default"


def queue(name: str, connection: redis.Redis) -> Queue:
    return Queue(name, connection=connection, serializer=MsgspecSerializer)
