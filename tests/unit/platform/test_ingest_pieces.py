"""Pure pieces of ingestion: the multipart parser, normalisation and the merge rules."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.core.multipart import MultipartError, boundary_of, parse_multipart
from app.platform.ingest.envelope import from_multipart
from tests.support.ingest_helpers import BOUNDARY, child_run, json_part, multipart, root_run
from worker.merge import complete, merge, row, status_of
from worker.normalize import IntegrityError, normalize_feedback, normalize_run


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


def _body(parts):  # type: ignore[no-untyped-def]
    body, content_type = multipart(parts)
    return body, boundary_of(content_type)


def test_normalize_checks_the_tree() -> None:
    root = root_run()
    child = child_run(root)
    record = normalize_run(dict(child), "post", 0)
    assert record["parent_run_id"] == root["id"] and record["trace_id"] == root["id"]
    assert not record["needs_parent"]
    for bad in (
        dict(child, parent_run_id=str(uuid.uuid4())),
        dict(child, trace_id=str(uuid.uuid4())),
        dict(child, dotted_order=child["dotted_order"][:-5]),
        dict(root, start_time="yesterday"),
        dict(root, end_time="2000-01-01T00:00:00Z"),
    ):
        with pytest.raises(IntegrityError):
            normalize_run(bad, "post", 0)


def test_normalize_derives_legacy_roots_tokens_and_threads() -> None:
    run_id = str(uuid.uuid4())
    record = normalize_run(
        {
            "id": run_id,
            "name": "x",
            "start_time": "2026-01-02T03:04:05.678901",
            "extra": {"metadata": {"conversation_id": "c-7", "ls_model_name": "m"}},
            "outputs": {"llm_output": {"token_usage": {"prompt_tokens": 3, "completion_tokens": 4}}},
        },
        "post",
        0,
    )
    assert record["trace_id"] == run_id
    assert record["dotted_order"] == "20260102T030405678901Z" + run_id
    assert record["start_time"].tzinfo is not None  # naive means UTC
    assert (record["prompt_tokens"], record["completion_tokens"], record["total_tokens"]) == (3, 4, 7)
    assert record["thread_id"] == "c-7" and record["model_name"] == "m"
    legacy_child = normalize_run({"id": str(uuid.uuid4()), "parent_run_id": run_id, "start_time": 1.7e9}, "post", 0)
    assert legacy_child["needs_parent"] and legacy_child["dotted_order"] is None


def _records(run: dict) -> tuple[dict, dict]:  # type: ignore[type-arg]
    post = normalize_run(dict(run), "post", 0)
    end = dt.datetime.now(dt.UTC).isoformat()
    patch = normalize_run(
        {
            "id": run["id"],
            "trace_id": run["trace_id"],
            "dotted_order": run["dotted_order"],
            "end_time": end,
            "outputs": {"a": 1},
            "inputs": {"changed": True},
            "name": None,
            "extra": {"metadata": {"late": "yes"}},
        },
        "patch",
        0,
    )
    for r in (post, patch):
        r.update(workspace_id="w", project_id="p")
    return post, patch


def test_merge_is_order_independent_and_idempotent() -> None:
    run = root_run(extra={"metadata": {"early": "yes"}})
    post, patch = _records(run)
    a = merge(merge(None, post), patch)
    b = merge(merge(None, patch), post)
    c = merge(merge(merge(a, post), patch), post)  # retries and duplicates
    for state in (a, b, c):
        state["version"] = 1
        assert row(state) == row(a)
    assert a["inputs"] == post["inputs"]  # the post's inputs win
    assert a["name"] == run["name"]  # an explicit null in the patch changes nothing
    assert status_of(a) == "success" and complete(a)
    assert a["metadata"] == {"early": "yes", "late": "yes"}


def test_patch_alone_is_not_complete_without_a_place() -> None:
    run = root_run()
    _, patch = _records(run)
    patch["project_id"] = None
    patch["start_time"] = None
    assert not complete(merge(None, patch))


def test_feedback_normalisation() -> None:
    record = normalize_feedback(
        {"id": str(uuid.uuid4()), "key": "k", "score": True, "value": {"v": 1}, "feedback_source": {"type": "model"}}, 0
    )
    assert record["score"] == 1.0 and record["value"] == '{"v":1}' and record["source_type"] == "model"
    with pytest.raises(IntegrityError):
        normalize_feedback({"id": str(uuid.uuid4()), "key": "k", "score": "high"}, 0)
