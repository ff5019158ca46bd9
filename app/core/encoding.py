"""Request body decompression: `Content-Encoding: zstd` and `gzip`, bounded against bombs.

Both decoders stream: output is produced a chunk at a time and the limit is checked as it grows,
so a small body that expands to gigabytes costs at most MAX_DECOMPRESSED_BYTES of memory before
it is refused with 413 (a one-shot decompress would first build the whole output).
"""

from __future__ import annotations

import zlib

import zstandard

from app.core.errors import BadRequest, PayloadTooLarge
from app.core.ingest import MAX_DECOMPRESSED_BYTES

_CHUNK = 1 << 20
# RFC 8878 §3.1.1.1.2: for HTTP content coding, encoders should not need a window above 8 MB and
# decoders may refuse one. Without this cap a frame header alone could make the decoder
# allocate a 128 MiB (or, with `--long=31`, 2 GiB) window.
ZSTD_MAX_WINDOW = 8 * 1024 * 1024


def decode_body(body: bytes, content_encoding: str | None, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding == "zstd":
        return _zstd(body, limit)
    if encoding in ("gzip", "x-gzip"):
        return _gzip(body, limit)
    raise BadRequest(f"unsupported Content-Encoding {content_encoding!r}; use zstd, gzip or none")


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"decompressed body exceeds {limit} bytes")


def _zstd(body: bytes, limit: int) -> bytes:
    # The SDK sends one streaming frame without a content size; several concatenated frames are
    # valid zstd too. Anything after the last frame, or a frame cut short, is an error.
    decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
    try:
        # First measure the output, a chunk at a time and discarding it, so a bomb is refused
        # having used one chunk of memory: a decompressobj has no output limit.
        size = 0
        with decompressor.stream_reader(body, read_across_frames=True, read_size=_CHUNK) as reader:
            while chunk := reader.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
        # Known to fit: decode frame by frame, which tells a complete frame from a truncated one.
        out: list[bytes] = []
        data = body
        while data:
            frame = decompressor.decompressobj()
            out.append(frame.decompress(data))
            if not frame.eof:
                raise BadRequest("body is not valid zstd: truncated frame")
            data = frame.unused_data
    except zstandard.ZstdError as exc:
        raise BadRequest(f"body is not valid zstd: {exc}") from None
    return b"".join(out)


def _gzip(body: bytes, limit: int) -> bytes:
    out = bytearray()
    data = body
    # One gzip member after another (RFC 1952 allows concatenation); every one must be complete,
    # and bytes after the last one that are not another member are an error.
    while data:
        decompressor = zlib.decompressobj(wbits=47)  # gzip or zlib header, auto-detected
        try:
            # At most limit+1 bytes of output: one more than allowed is enough to refuse.
            out += decompressor.decompress(data, limit - len(out) + 1)
        except zlib.error as exc:
            raise BadRequest(f"body is not valid gzip: {exc}") from None
        if len(out) > limit:
            raise _too_large(limit)
        if not decompressor.eof:
            raise BadRequest("body is not valid gzip: truncated stream")
        data = decompressor.unused_data
    return bytes(out)
