"""rq job serializer over msgpack (msgspec), never pickle.

rq stores each job's (function name, instance, args, kwargs) and its result through this object.
Pickle would let anyone who can write to Redis run code in a worker; msgpack only carries data, so
jobs take ids, bytes and plain containers (rq's job contract: pass references, not objects).
"""

from __future__ import annotations

from typing import Any

import msgspec

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


class MsgspecSerializer:
    @staticmethod
    def dumps(obj: Any) -> bytes:
        return _encoder.encode(obj)

    @staticmethod
    def loads(data: bytes) -> Any:
        return _decoder.decode(data)
