"""Request body decompression: `Content-Encoding: zstd` and `gzip`, bounded against bombs."""

from __future__ import annotations

import zlib

import zstandard

from app.core.errors import BadRequest, PayloadTooLarge
from app.core.ingest import MAX_DECOMPRESSED_BYTES


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding == "zstd":
        return _zstd(body)
    if encoding in ("gzip", "x-gzip"):
        return _gzip(body)
    raise BadRequest(f"unsupported Content-Encoding {content_encoding!r}; use zstd, gzip or none")


def _zstd(body: bytes) -> bytes:
    # The SDK sends one streaming frame without a content size, so the one-shot API cannot size
    # its output; a decompressobj can.
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    try:
        out = decompressor.decompress(body)
    except zstandard.ZstdError as exc:
        raise BadRequest(f"body is not valid zstd: {exc}") from None
    if len(out) > MAX_DECOMPRESSED_BYTES:
        raise PayloadTooLarge(f"decompressed body exceeds {MAX_DECOMPRESSED_BYTES} bytes")
    return out


def _gzip(body: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=47)  # gzip or zlib header, auto-detected
    try:
        out = decompressor.decompress(body, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise BadRequest(f"body is not valid gzip: {exc}") from None
    if len(out) > MAX_DECOMPRESSED_BYTES:
        raise PayloadTooLarge(f"decompressed body exceeds {MAX_DECOMPRESSED_BYTES} bytes")
    return out
