"""Property tests of the ingest parsers: whatever bytes arrive, the multipart parser, the
envelope and body decompression fail only with our own 4xx errors, and what the envelope
accepts can always travel through the queue. No stack needed; bounded example counts so the
file runs in seconds."""

from __future__ import annotations

import gzip
import uuid
import zlib

import msgspec
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.encoding import decode_body
from app.core.errors import BadRequest, PayloadTooLarge
from app.core.ingest import MAX_JSON_DEPTH, encode_batch, json_problem, scan_json_text
from app.core.multipart import MultipartError, boundary_of, parse_multipart
from app.platform.ingest.envelope import from_batch, from_multipart

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUNDARY = b"fuzzboundary"
RUN_ID = "8f1b6a2e-4a5c-4b8e-9f7a-0c1d2e3f4a5b"

# Pieces a multipart body is made of, so mutations land near the grammar, not only in noise.
TOKENS = [
    b"--" + BOUNDARY,
    b"--" + BOUNDARY + b"--",
    b"\r\n",
    b"\r\n\r\n",
    b'Content-Disposition: form-data; name="post.' + RUN_ID.encode() + b'"',
    b'Content-Disposition: form-data; name="post.' + RUN_ID.encode() + b'.inputs"',
    b'Content-Disposition: form-data; name="attachment.' + RUN_ID.encode() + b'.f"',
    b'Content-Disposition: form-data; name="feedback.' + RUN_ID.encode() + b'"',
    b'Content-Disposition: form-data; name="patch.x"; filename="a"',
    b"Content-Type: application/json",
    b'{"id": "' + RUN_ID.encode() + b'", "name": "r", "start_time": "2026-01-01T00:00:00"}',
    b'{"key": "k", "score": 1}',
    b"[" * 50,
    b"\xff\xfe\x00",
    b'"\\ud800"',
    b"1e999",
    b"123456789012345678901234567890",
]


def _valid_body() -> bytes:
    run = msgspec.json.encode({"id": RUN_ID, "name": "r", "session_name": "p"})
    return (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="post.' + RUN_ID.encode() + b'"\r\n'
        b"Content-Type: application/json\r\n\r\n" + run + b"\r\n--" + BOUNDARY + b"--\r\n"
    )


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + cut :]
    return data


def _envelope_never_raises(body: bytes) -> None:
    try:
        parts = parse_multipart(body, BOUNDARY, max_parts=50)
    except MultipartError:
        return
    env = from_multipart(str(uuid.uuid4()), parts)
    encode_batch(env.batch)  # whatever was accepted can be enqueued
    env.dead_letters  # noqa: B018 - and whatever was rejected can be set aside
    assert len(env.report()["rejected"]) <= 100


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_a_multipart_error_or_parts(body: bytes) -> None:
    _envelope_never_raises(body)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS) | st.binary(max_size=20), max_size=40))
def test_token_soup_is_a_multipart_error_or_parts(tokens: list[bytes]) -> None:
    _envelope_never_raises(b"".join(tokens))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 30), st.sampled_from(TOKENS) | st.binary(max_size=8))))
def test_mutated_sdk_bodies_are_a_multipart_error_or_parts(edits: list[tuple[int, int, bytes]]) -> None:
    _envelope_never_raises(_mutate(_valid_body(), edits))


@FUZZ
@given(st.text(max_size=300))
def test_any_content_type_gives_a_boundary_or_a_multipart_error(content_type: str) -> None:
    try:
        boundary = boundary_of(content_type)
    except MultipartError:
        return
    assert 1 <= len(boundary) <= 200


def test_part_limit_stops_the_parse() -> None:
    body = b"".join(b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="p"\r\n\r\nx\r\n' for _ in range(20))
    parts = parse_multipart(body + b"--" + BOUNDARY + b"--", BOUNDARY, max_parts=20)
    assert len(parts) == 20
    try:
        parse_multipart(body + b"--" + BOUNDARY + b"--", BOUNDARY, max_parts=19)
    except MultipartError as exc:
        assert "more than 19 parts" in str(exc)
    else:
        raise AssertionError("a 20-part body passed a 19-part limit")


# JSON values as the SDK could send them, and as an attacker would: any nesting, any integer.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(["id", "inputs", "start_time", "session_name", "x"]), JSON)))
def test_batch_envelope_accepts_only_what_can_be_enqueued(runs: list[dict]) -> None:
    for run in runs:
        run.setdefault("id", str(uuid.uuid4()))
    env = from_batch(str(uuid.uuid4()), {"post": runs})
    encode_batch(env.batch)
    env.dead_letters  # noqa: B018
    assert len(env.batch.posts) + len(env.rejected) == len(runs)


# --- decode_body ----------------------------------------------------------------------------------

LIMIT = 10_000  # small, so bomb-ish inputs are refused in microseconds


def _decodes_or_4xx(body: bytes, encoding: str) -> bytes | None:
    try:
        out = decode_body(body, encoding, limit=LIMIT)
    except (BadRequest, PayloadTooLarge):
        return None
    assert len(out) <= LIMIT or encoding == "identity"
    return out


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["zstd", "gzip", "x-gzip", "identity", "br", " ZSTD ", ""]))
def test_random_bytes_decode_or_fail_with_a_4xx(body: bytes, encoding: str) -> None:
    _decodes_or_4xx(body, encoding)


def _compress(encoding: str, data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data) if encoding == "zstd" else gzip.compress(data)


@FUZZ
@given(
    st.sampled_from(["zstd", "gzip"]),
    st.binary(max_size=2000),
    st.integers(0, 3000),
    st.binary(max_size=10),
    st.integers(1, 3),
)
def test_cut_padded_or_repeated_frames_decode_exactly_or_fail_with_a_4xx(
    encoding: str, data: bytes, cut: int, tail: bytes, copies: int
) -> None:
    frame = _compress(encoding, data)
    whole = frame * copies
    assert _decodes_or_4xx(whole, encoding) == (data * copies if len(data) * copies <= LIMIT else None)
    _decodes_or_4xx(whole[: cut % (len(whole) + 1)] + tail, encoding)


@FUZZ
@given(st.sampled_from(["zstd", "gzip"]), st.integers(LIMIT + 1, 50 * LIMIT), st.integers(0, 255))
def test_bombs_are_413(encoding: str, size: int, byte: int) -> None:
    body = _compress(encoding, bytes([byte]) * size)
    try:
        decode_body(body, encoding, limit=LIMIT)
    except PayloadTooLarge:
        return
    raise AssertionError(f"{size} bytes decompressed past a {LIMIT}-byte limit")


def test_a_zlib_stream_is_accepted_as_gzip() -> None:
    # wbits=47 also takes a zlib header; some clients label deflate data this way.
    assert decode_body(zlib.compress(b"{}"), "gzip") == b"{}"


_NESTED_JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=300,
)


@FUZZ
@given(value=_NESTED_JSON | st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: {"n": n}))
def test_tame_text_never_hides_what_the_walk_would_refuse(value: object) -> None:
    """The ingest door skips `json_problem`'s walk for tame text: that must never let through
    what the walk refuses, even one level down (a multipart part placed inside its run)."""
    data = msgspec.json.encode(value)
    if scan_json_text(data).tame:
        assert json_problem({"inputs": msgspec.json.decode(data)}) is None


def test_tame_text_is_recognised_at_the_edges() -> None:
    deep = b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1)
    assert scan_json_text(deep).tame and json_problem({"inputs": msgspec.json.decode(deep)}) is None
    deeper = b"[" + deep + b"]"
    assert not scan_json_text(deeper).tame and json_problem({"inputs": msgspec.json.decode(deeper)}) is not None
    assert not scan_json_text(b'{"n": 18446744073709551616}').tame
