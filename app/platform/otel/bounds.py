"""Count the messages an OTLP protobuf body holds before the protobuf runtime builds them.

The runtime allocates every message of a parse up front, at ~170 bytes each however small the
message is on the wire: an empty span is 2 bytes, so 4 MB of them took 338 MB to parse (measured
with upb), and a 64 MiB body would take gigabytes. This walks the wire format with the OTLP
trace schema, skipping strings and bytes by their length, and refuses a body over the limit
before anything is allocated. Malformed wire data is left for the real parser to reject.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import BadRequest, PayloadTooLarge

# A body may hold at most this many messages (spans, attributes, values, events, links, ...):
# ~10,000 spans with twenty-odd attributes each, or ~100 MB of parser memory at worst.
MAX_MESSAGES = 500_000
# protobuf's own recursion limit for nested messages (AnyValue in AnyValue ...).
MAX_DEPTH = 100

# For each message type: field number -> the schema of that field's message, for the fields that
# are messages (opentelemetry-proto trace/v1, common/v1, resource/v1). Other fields are skipped.
_ANY: dict[int, Any] = {}
_KEY_VALUE = {2: _ANY}
_ANY.update({5: {1: _ANY}, 6: {1: _KEY_VALUE}})  # array_value, kvlist_value
_SPAN = {9: _KEY_VALUE, 11: {3: _KEY_VALUE}, 13: {4: _KEY_VALUE}, 15: {}}  # attributes, events, links, status
_SCOPE_SPANS = {1: {3: _KEY_VALUE}, 2: _SPAN}  # scope (its attributes), spans
_RESOURCE_SPANS = {1: {1: _KEY_VALUE}, 2: _SCOPE_SPANS}  # resource (its attributes), scope_spans
EXPORT_REQUEST = {1: _RESOURCE_SPANS}


class _Malformed(Exception):
    pass


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise _Malformed
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def check_message_count(body: bytes, limit: int = MAX_MESSAGES) -> None:
    """Raise PayloadTooLarge when `body` holds more than `limit` messages, BadRequest when it
    nests deeper than protobuf allows; return quietly otherwise (also for malformed data)."""
    count = 0
    stack: list[tuple[int, int, dict[int, Any], int]] = [(0, len(body), EXPORT_REQUEST, 0)]
    try:
        while stack:
            pos, end, schema, depth = stack.pop()
            while pos < end:
                key, pos = _varint(body, pos, end)
                wire = key & 7
                if wire == 0:
                    _, pos = _varint(body, pos, end)
                elif wire == 1:
                    pos += 8
                elif wire == 5:
                    pos += 4
                elif wire == 2:
                    length, pos = _varint(body, pos, end)
                    nested = schema.get(key >> 3)
                    if nested is not None:
                        count += 1
                        if count > limit:
                            raise PayloadTooLarge(
                                f"OTLP export holds more than {limit} messages (spans, attributes, "
                                "events...); send it in several"
                            )
                        if depth >= MAX_DEPTH:
                            raise BadRequest(f"OTLP export nests messages more than {MAX_DEPTH} deep")
                        stack.append((pos, min(pos + length, end), nested, depth + 1))
                    pos += length
                else:
                    raise _Malformed  # groups (3, 4) are not in the OTLP schema
    except _Malformed:
        return
