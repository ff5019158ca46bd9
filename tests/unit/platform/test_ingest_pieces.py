"""Pure pieces of the platform's ingestion: the multipart parser and the envelope.

Normalisation and the merge rules are the worker's: tests/unit/worker/."""

from __future__ import annotations

import uuid

import pytest

from app.core.multipart import MultipartError, boundary_of, parse_multipart
from app.platform.ingest.envelope import from_multipart
from tests.support.ingest_helpers import BOUNDARY, json_part, multipart, root_run


def test_parser_keeps_binary_parts_byte_exact() -> None:
    binary = bytes(range(256)) * 4 + b"\r\n--not-the-boundary\r\n"
    body, content_type = multipart(
        [(f"attachment.{uuid.uuid4()}.img", "image/png", binary), json_part("post.x", {"a": "é"})]
    )
    parts = parse_multipart(body, boundary_of(content_type))
    assert parts[0].data == binary
    assert parts[0].content_type == "image/png"
    assert parts[1].name == "post.x"


def test_parser_accepts_a_quoted_boundary_and_empty_body() -> None:
    assert boundary_of('multipart/form-data; boundary="abc def"') == b"abc def"
    assert parse_multipart(b"--abc--\r\n", b"abc") == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"--other\r\n\r\n",
        f"--{BOUNDARY}\r\nContent-Type: x\r\n\r\ndata".encode(),
        f"--{BOUNDARY}\r\nContent-Type: x\r\n\r\ndata\r\n--{BOUNDARY}--".encode(),
    ],
)
def test_parser_rejects_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MultipartError):
        parse_multipart(body, BOUNDARY.encode())


def test_envelope_folds_out_of_band_parts_in_any_order() -> None:
    run = root_run()
    run_id = run["id"]
    parts = [
        json_part(f"post.{run_id}.outputs", {"o": 1}),
        json_part(f"post.{run_id}", {"id": run_id}),
        json_part(f"post.{run_id}.error", "boom"),
        json_part(f"patch.{uuid.uuid4()}.outputs", {"orphan": True}),
    ]
    env = from_multipart("w", parse_multipart(*_body(parts)))
    assert env.batch.posts == [{"id": run_id, "outputs": {"o": 1}, "error": "boom"}]
    assert len(env.rejected) == 1 and "no patch." in env.rejected[0].reason


def _body(parts: list[tuple[str, str, bytes]]) -> tuple[bytes, bytes]:
    body, content_type = multipart(parts)
    return body, boundary_of(content_type)
