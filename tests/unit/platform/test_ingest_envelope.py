"""The ingest envelope (app/platform/ingest/envelope.py): which items a request may carry, the
reason each refused item is given, and that a refused item never sinks the rest of its batch."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from app.core.errors import PayloadTooLarge
from app.core.ingest import MAX_JSON_VALUES, MAX_PART_BYTES, Attachment, decode_dead_letter
from app.core.multipart import Part
from app.platform.ingest.envelope import Envelope, check_json_budget, from_batch, from_multipart, from_single

RUN = "0B7E3C5A-1D2F-4A6B-8C9D-0E1F2A3B4C5D"  # upper case: ids are stored in their lower-case form
RUN_ID = RUN.lower()
OTHER_ID = "11111111-2222-4333-8444-555555555555"
NESTED_TOO_DEEP: Any = 0
for _ in range(201):  # one level past MAX_JSON_DEPTH
    NESTED_TOO_DEEP = [NESTED_TOO_DEEP]


def part(name: str, value: Any, content_type: str = "application/json") -> Part:
    return Part(name, content_type, value if isinstance(value, bytes) else json.dumps(value).encode())


def reasons(env: Envelope) -> list[tuple[str, str]]:
    return [(r.part, r.reason) for r in env.rejected]


# --- one run (POST /runs, PATCH /runs/{id}) -------------------------------------------------


def test_a_run_is_accepted_with_its_id_normalised() -> None:
    env = from_single("ws", "post", {"id": RUN, "name": "r", "attachments": {}})
    assert env.batch.posts == [{"id": RUN_ID, "name": "r"}]  # the SDK's empty "attachments" is dropped
    assert env.report() == {
        "accepted": {"post": 1, "patch": 0, "feedback": 0, "attachments": 0},
        "rejected": [],
        "rejected_count": 0,
    }
    assert env.dead_letters == []


def test_a_patch_takes_its_id_from_the_path() -> None:
    env = from_single("ws", "patch", {"end_time": "2024-05-01T12:00:00Z"}, RUN_ID)
    assert env.batch.patches == [{"id": RUN_ID, "end_time": "2024-05-01T12:00:00Z"}]


@pytest.mark.parametrize(
    ("run", "run_id", "reason"),
    [
        ([1, 2], None, "run must be a JSON object"),
        ({"id": "nope"}, None, "run id 'nope' is not a UUID"),
        ({"name": "no id"}, None, "run id None is not a UUID"),
        ({"id": OTHER_ID}, RUN_ID, f"run id {OTHER_ID} does not match {RUN_ID} in the part name"),
        ({"id": RUN, "session_name": "a\x00b"}, None, "session_name must not contain NUL characters"),
        ({"id": RUN, "session_name": "é" * 513}, None, "session_name must be at most 1024 bytes"),
        ({"id": RUN, "start_time": "yesterday"}, None, "start_time 'yesterday' is not a timestamp"),
        ({"id": RUN, "end_time": "1800-01-01T00:00:00Z"}, None, "end_time '1800-01-01T00:00:00Z' is outside 1900-2299"),
        ({"id": RUN, "inputs": {"n": 2**64}}, None, "an integer is outside [-2**63, 2**64); send it as a string"),
        ({"id": RUN, "inputs": NESTED_TOO_DEEP}, None, "JSON is nested more than 200 levels deep"),
        ({"id": RUN, "run_type": "agent"}, None, "run_type: Invalid enum value 'agent'"),
        ({"id": RUN, "name": 7}, None, "name: Expected `str | null`, got `int`"),
        ({"id": RUN, "trace_id": "t-1"}, None, "trace_id: Invalid UUID"),
        ({"id": RUN, "inputs": ["a"]}, None, "inputs: Expected `object | null`, got `array`"),
        ({"id": RUN, "tags": "a,b"}, None, "tags: Expected `array | null`, got `str`"),
    ],
)
def test_a_refused_run_says_why(run: Any, run_id: str | None, reason: str) -> None:
    env = from_single("ws", "post", run, run_id)
    assert env.batch.posts == []
    assert reasons(env) == [("post", reason)]
    [rejected] = env.report()["rejected"]
    assert (rejected["part"], rejected["reason"]) == ("post", reason)
    assert env.report()["rejected_count"] == 1


def test_the_report_names_the_refused_run_by_its_id() -> None:
    env = from_batch("ws", {"post": [{"id": RUN, "run_type": "llm"}, {"id": OTHER_ID, "start_time": "yesterday"}]})
    assert [p["id"] for p in env.batch.posts] == [RUN_ID]
    assert env.report()["rejected"] == [
        {"part": "post[1]", "id": OTHER_ID, "reason": "start_time 'yesterday' is not a timestamp"}
    ]


def test_tame_text_skips_the_walk() -> None:
    # walk=False is the caller's promise (scan_json_text) that the walk would pass; it is trusted.
    run = {"id": RUN, "inputs": {"deep": NESTED_TOO_DEEP}}
    assert from_single("ws", "post", run, walk=False).batch.posts == [run]


def test_times_may_be_epoch_seconds_or_milliseconds() -> None:
    env = from_single("ws", "post", {"id": RUN, "start_time": 1714564800, "end_time": 1714564800500})
    assert len(env.batch.posts) == 1 and env.rejected == []


# --- POST /runs/batch ------------------------------------------------------------------------


def test_a_refused_item_does_not_sink_the_batch() -> None:
    body = {
        "post": [{"id": RUN, "name": "good"}, {"id": "bad"}, "not a run"],
        "patch": [{"id": OTHER_ID, "end_time": "2024-05-01T12:00:00Z"}],
    }
    env = from_batch("ws", body)
    assert [r["id"] for r in env.batch.posts] == [RUN_ID]
    assert [r["id"] for r in env.batch.patches] == [OTHER_ID]
    assert reasons(env) == [("post[1]", "run id 'bad' is not a UUID"), ("post[2]", "run must be a JSON object")]
    assert env.report()["accepted"] == {"post": 1, "patch": 1, "feedback": 0, "attachments": 0}


def test_a_batch_key_that_is_not_a_list_is_refused_alone() -> None:
    env = from_batch("ws", {"post": {"id": RUN}, "patch": [{"id": RUN}]})
    assert reasons(env) == [("post", "`post` must be a list of runs")]
    assert [r["id"] for r in env.batch.patches] == [RUN_ID]


def test_an_empty_batch_is_accepted_as_nothing() -> None:
    env = from_batch("ws", {})
    assert env.batch.size() == 0 and env.rejected == []


def test_the_report_lists_the_first_hundred_rejections_and_counts_all() -> None:
    report = from_batch("ws", {"post": ["x"] * 150}).report()
    assert len(report["rejected"]) == 100 and report["rejected"][99]["part"] == "post[99]"
    assert report["rejected_count"] == 150


# --- dead letters ------------------------------------------------------------------------------


def test_a_few_rejections_become_one_letter_each() -> None:
    env = from_batch("ws", {"post": [{"id": "bad"}, 7]})
    letters = [decode_dead_letter(raw) for raw in env.dead_letters]
    assert [(x.stage, x.kind, x.item_id, x.reason) for x in letters] == [
        ("api", "post", None, "run id 'bad' is not a UUID"),
        ("api", "post", None, "run must be a JSON object"),
    ]
    assert [msgspec.msgpack.decode(x.payload) for x in letters] == [{"id": "bad"}, 7]
    assert {x.workspace_id for x in letters} == {"ws"}


def test_many_rejections_become_one_summary_letter() -> None:
    env = from_batch("ws", {"post": [7] * 11})
    [letter] = [decode_dead_letter(raw) for raw in env.dead_letters]
    assert letter.kind == "request" and letter.item_id is None
    assert letter.reason == "11 items rejected in one request; first: run must be a JSON object"
    summary = msgspec.msgpack.decode(letter.payload)
    assert summary["count"] == 11 and len(summary["sample"]) == 11
    assert summary["sample"][0] == {
        "part": "post[0]",
        "kind": "post",
        "item_id": None,
        "reason": "run must be a JSON object",
    }


def test_an_item_the_queue_cannot_carry_is_not_kept_in_its_letter() -> None:
    env = from_single("ws", "post", {"id": RUN, "inputs": {"n": 2**64}})
    [letter] = [decode_dead_letter(raw) for raw in env.dead_letters]
    assert letter.item_id == RUN_ID and msgspec.msgpack.decode(letter.payload) is None


# --- POST /runs/multipart ----------------------------------------------------------------------


def test_multipart_runs_feedback_and_attachments_are_accepted() -> None:
    env = from_multipart(
        "ws",
        [
            part(f"post.{RUN}", {"name": "r"}),
            part(f"post.{RUN}.inputs", {"q": 1}),
            part(f"patch.{OTHER_ID}", {"end_time": "2024-05-01T12:00:00Z"}),
            part(f"feedback.{OTHER_ID}", {"run_id": RUN_ID, "key": "acc", "score": 1}),
            part(f"attachment.{RUN}.photo", b"\x89PNG", "image/png; charset=binary"),
            part(f"attachment.{RUN}.blob", b"raw", ""),
        ],
    )
    assert env.batch.posts == [{"id": RUN_ID, "name": "r", "inputs": {"q": 1}}]
    assert env.batch.patches == [{"id": OTHER_ID, "end_time": "2024-05-01T12:00:00Z"}]
    assert env.batch.feedback == [{"id": OTHER_ID, "run_id": RUN_ID, "key": "acc", "score": 1}]
    assert env.batch.attachments == [
        Attachment(RUN_ID, "photo", "image/png", b"\x89PNG"),
        Attachment(RUN_ID, "blob", "application/octet-stream", b"raw"),
    ]
    assert env.rejected == []


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        ([part("attachment.nope.photo", b"x")], "attachment parts are named attachment.<run uuid>.<name>"),
        ([part(f"attachment.{RUN}", b"x")], "attachment parts are named attachment.<run uuid>.<name>"),
        ([part("thing.x", {})], "unknown part; expected post.*, patch.*, feedback.* or attachment.*"),
        ([part(f"post.{RUN}", b'{"name": ')], "invalid JSON: Input data was truncated"),
        ([part(f"post.{RUN}", {}), part(f"post.{RUN}", {})], "duplicate part in this request"),
        ([part(f"post.{RUN}", {}), part(f"post.{RUN}.colour", "red")], "unknown run field part 'colour'"),
        ([part(f"post.{RUN}.inputs", {})], f"no post.{RUN} part for this field in the request"),
        ([part(f"post.{RUN}", {"id": OTHER_ID})], f"run id {OTHER_ID} does not match {RUN_ID} in the part name"),
        ([part(f"feedback.{RUN}.score", 1)], "feedback parts have no sub-fields"),
        ([part(f"feedback.{RUN}", {"run_id": RUN})], "feedback needs a non-empty string `key`"),
        ([part(f"feedback.{RUN}", {"key": ""})], "feedback needs a non-empty string `key`"),
        ([part(f"feedback.{RUN}", [1])], "feedback must be a JSON object"),
        ([part("feedback.nope", {"key": "k"})], "feedback id is not a UUID"),
        ([part(f"feedback.{RUN}", {"key": "k", "created_at": "soon"})], "created_at 'soon' is not a timestamp"),
    ],
)
def test_a_refused_part_says_why(parts: list[Part], reason: str) -> None:
    env = from_multipart("ws", parts)
    assert [r.reason for r in env.rejected] == [reason]
    assert env.rejected[0].part == parts[-1].name


def test_a_refused_part_does_not_sink_the_request() -> None:
    env = from_multipart("ws", [part(f"post.{RUN}", b"{oops"), part(f"post.{OTHER_ID}", {"name": "fine"})])
    assert [r["id"] for r in env.batch.posts] == [OTHER_ID]
    assert [(r.part, r.kind, r.item_id) for r in env.rejected] == [(f"post.{RUN}", "post", RUN_ID)]


def test_an_oversized_part_is_refused_and_not_kept() -> None:
    env = from_multipart("ws", [part(f"attachment.{RUN}.big", b"\0" * (MAX_PART_BYTES + 1))])
    assert [(r.reason, r.item) for r in env.rejected] == [(f"part exceeds {MAX_PART_BYTES} bytes", b"")]
    assert env.batch.attachments == []


# --- the request's JSON budget: the whole request is refused (413), not an item ---------------


def test_the_json_budget_is_a_limit_on_the_request() -> None:
    check_json_budget(MAX_JSON_VALUES)
    with pytest.raises(PayloadTooLarge) as excinfo:
        check_json_budget(MAX_JSON_VALUES + 1)
    assert (
        excinfo.value.detail == f"the request's JSON holds more than {MAX_JSON_VALUES} values; send fewer per request"
    )


def test_the_json_budget_sums_the_parts() -> None:
    half = b"[" + b"1," * (MAX_JSON_VALUES // 2) + b"1]"  # each part alone is within the budget
    with pytest.raises(PayloadTooLarge):
        from_multipart("ws", [part(f"post.{RUN}.inputs", half), part(f"post.{RUN}.outputs", half)])
