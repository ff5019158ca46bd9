"""rq queues with a msgspec (msgpack) serializer, shared by producers (platform) and workers.

rq stores each job's (function name, instance, args, kwargs) and its result through the
serializer. Pickle would let anyone who can write to Redis run code in a worker; msgpack only
carries data, so jobs take ids, bytes and plain containers (rq's job contract: pass references,
not objects). Producers enqueue by dotted name, so `app/` never imports `worker/`.
"""

from __future__ import annotations

from typing import Any

import msgspec
import redis
from rq import Queue, Retry

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()

# Waits between attempts of a failing job (the last repeats): long enough to ride out a store
# restart, short enough that nothing sits for long once it is back.
RETRY_INTERVALS = [1, 2, 5, 10, 30, 60]
# ~1000 attempts, the last ones a minute apart: a job outlives any outage we expect.
RETRY_MAX = 1000


class MsgspecSerializer:
    @staticmethod
    def dumps(obj: Any) -> bytes:
        return _encoder.encode(obj)

    @staticmethod
    def loads(data: bytes) -> Any:
        return _decoder.decode(data)


def queue(name: str, connection: redis.Redis, *, cls: type[Queue] = Queue) -> Queue:
    return cls(name, connection=connection, serializer=MsgspecSerializer)


def retry_policy() -> Retry:
    return Retry(max=RETRY_MAX, interval=RETRY_INTERVALS)
