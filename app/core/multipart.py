"""A bytes-level multipart/form-data parser for `/runs/multipart` and the examples upload path.

Not `request.form()`: it decodes every filename-less part as UTF-8, so a binary attachment part
(which the SDK sends without a filename) raises and becomes a 500 (wire §2.3). This parser never
decodes part bodies; it only reads each part's headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `name=` as its own parameter, not the tail of `filename=` (CSV uploads carry both).
_NAME_RE = re.compile(rb'(?:^|[\s;])name="((?:[^"\\]|\\.)*)"', re.I)
_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.I)


class MultipartError(ValueError):
    pass


class TooManyParts(MultipartError):
    """More parts than the caller allows: the body is too large, not malformed (413)."""


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    content_type: str
    data: bytes


def boundary_of(content_type: str) -> bytes:
    match = _BOUNDARY_RE.search(content_type or "")
    if not match:
        raise MultipartError("Content-Type multipart/form-data needs a boundary parameter")
    try:
        boundary = (match.group(1) or match.group(2)).encode("latin-1")
    except UnicodeEncodeError:
        raise MultipartError("multipart boundary must be ASCII") from None
    if not 1 <= len(boundary) <= 200:
        raise MultipartError("multipart boundary must be 1 to 200 characters")
    return boundary


def parse_multipart(body: bytes, boundary: bytes, max_parts: int | None = None) -> list[Part]:
    """The parts of `body`. `max_parts` stops the parse early: each part costs a Part and, later,
    a queue item or a dead letter, so a body of many tiny parts must be refused before that."""
    delimiter = b"--" + boundary
    start = body.find(delimiter)
    if start < 0:
        raise MultipartError("body does not contain the multipart boundary")
    parts: list[Part] = []
    position = start + len(delimiter)
    next_delimiter = b"\r\n" + delimiter
    while True:
        if body.startswith(b"--", position):
            return parts  # closing delimiter
        if not body.startswith(b"\r\n", position):
            raise MultipartError(f"malformed delimiter at byte {position}")
        if max_parts is not None and len(parts) >= max_parts:
            raise TooManyParts(f"more than {max_parts} parts in one request")
        header_start = position + 2
        header_end = body.find(b"\r\n\r\n", header_start)
        if header_end < 0:
            raise MultipartError(f"part {len(parts) + 1} has no end of headers")
        end = body.find(next_delimiter, header_end + 4)
        if end < 0:
            raise MultipartError(f"part {len(parts) + 1} is not terminated by the boundary")
        parts.append(_part(body[header_start:header_end], body[header_end + 4 : end], len(parts) + 1))
        position = end + len(next_delimiter)


def _part(raw_headers: bytes, data: bytes, number: int) -> Part:
    name = None
    content_type = "application/octet-stream"
    for line in raw_headers.split(b"\r\n"):
        key, _, value = line.partition(b":")
        key = key.strip().lower()
        if key == b"content-disposition":
            match = _NAME_RE.search(value)
            if match:
                name = match.group(1).decode("utf-8", "replace")
        elif key == b"content-type":
            content_type = value.strip().decode("latin-1")
    if not name:
        raise MultipartError(f"part {number} has no Content-Disposition name")
    return Part(name=name, content_type=content_type, data=data)
