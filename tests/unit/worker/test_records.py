"""The stream's wire format between stage 1 and stage 2, including what earlier versions queued."""

from __future__ import annotations

import base64
import datetime as dt

import msgspec

from tests.support.ingest_helpers import child_run, root_run
from worker.normalize import normalize_feedback, normalize_run
from worker.records import AttachmentRecord, StreamEntry, decode_entry, encode_entry

# Written by the dict-based stage 1 before worker/records.py (commit 317de9b): one post, one
# feedback item and one attachment, as `worker/jobs.py` XADDed them.
OLD_ENTRY = base64.b64decode(
    "hKx3b3Jrc3BhY2VfaWTZJDQ0NDQ0NDQ0LTQ0NDQtNDQ0NC04NDQ0LTQ0NDQ0NDQ0NDQ0NKRydW5zkd4AIaRraW5kpHBvc3SiaWTZJDEx"
    "MTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMah0cmFjZV9pZNkkMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTEx"
    "MTExrXBhcmVudF9ydW5faWTArGRvdHRlZF9vcmRlctk6MjAyNjAxMDJUMDMwNDA1Njc4OTAxWjExMTExMTExLTExMTEtNDExMS04MTEx"
    "LTExMTExMTExMTExMaxuZWVkc19wYXJlbnTCqnNlc3Npb25faWTArHNlc3Npb25fbmFtZaRwcm9qpG5hbWWkcm9vdKhydW5fdHlwZaNs"
    "bG2qc3RhcnRfdGltZdf/odzUIGlXNaWoZW5kX3RpbWXW/2lXNaawZmlyc3RfdG9rZW5fdGltZdf/1pOkAGlXNaWkdGFnc5KhYaFiqG1l"
    "dGFkYXRhg6l0aHJlYWRfaWSjdC0xrWxzX21vZGVsX25hbWWhbaFuoTKpdGhyZWFkX2lko3QtMbRyZWZlcmVuY2VfZXhhbXBsZV9pZMCq"
    "bW9kZWxfbmFtZaFtrm1vZGVsX3Byb3ZpZGVywK1wcm9tcHRfdG9rZW5zA7Fjb21wbGV0aW9uX3Rva2VucwSsdG90YWxfdG9rZW5zB6tw"
    "cm9tcHRfY29zdMCvY29tcGxldGlvbl9jb3N0wKp0b3RhbF9jb3N0yz/gAAAAAAAApmlucHV0c6p7InEiOiJoaSJ9p291dHB1dHPZSHsi"
    "dXNhZ2VfbWV0YWRhdGEiOnsiaW5wdXRfdG9rZW5zIjozLCJvdXRwdXRfdG9rZW5zIjo0LCJ0b3RhbF9jb3N0IjowLjV9faVlcnJvcsCl"
    "ZXh0cmHZOnsibWV0YWRhdGEiOnsidGhyZWFkX2lkIjoidC0xIiwibHNfbW9kZWxfbmFtZSI6Im0iLCJuIjoyfX2mZXZlbnRz2TZbeyJu"
    "YW1lIjoibmV3X3Rva2VuIiwidGltZSI6IjIwMjYtMDEtMDJUMDM6MDQ6MDUuOVoifV2qc2VyaWFsaXplZMCrcmVjZWl2ZWRfYXTLQdpV"
    "zWlgAACqcHJvamVjdF9pZNkkMjIyMjIyMjItMjIyMi00MjIyLTgyMjItMjIyMjIyMjIyMjIyqGZlZWRiYWNrkd4AEqJpZNkkMzMzMzMz"
    "MzMtMzMzMy00MzMzLTgzMzMtMzMzMzMzMzMzMzMzpnJ1bl9pZNkkMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExqHRy"
    "YWNlX2lkwKNrZXmha6VzY29yZcs/8AAAAAAAAKV2YWx1ZaCnY29tbWVudKJva6pjb3JyZWN0aW9uoK9mZWVkYmFja19zb3VyY2Wgq3Nv"
    "dXJjZV90eXBlo2Fwaa9mZWVkYmFja19jb25maWegpWV4dHJhoLljb21wYXJhdGl2ZV9leHBlcmltZW50X2lkwLFmZWVkYmFja19ncm91"
    "cF9pZMCqc3RhcnRfdGltZcCqY3JlYXRlZF9hdNf/dzWUAGlXNaWrbW9kaWZpZWRfYXTX/3c1lABpVzWlqnByb2plY3RfaWTAq2F0dGFj"
    "aG1lbnRzkYSmcnVuX2lk2SQxMTExMTExMS0xMTExLTQxMTEtODExMS0xMTExMTExMTExMTGkbmFtZaNpbWesY29udGVudF90eXBlqWlt"
    "YWdlL3BuZ6RkYXRhxASJUE5H"
)
# A deferred-set member of the dict-based writer: a bare patch after two deferrals, carrying its
# workspace and attachment names, in an entry without `feedback` or `attachments` keys.
OLD_DEFERRED = base64.b64decode(
    "gqx3b3Jrc3BhY2VfaWTZJDQ0NDQ0NDQ0LTQ0NDQtNDQ0NC04NDQ0LTQ0NDQ0NDQ0NDQ0NKRydW5zkd4AJKRraW5kpXBhdGNoomlk2SQ1"
    "NTU1NTU1NS01NTU1LTQ1NTUtODU1NS01NTU1NTU1NTU1NTWodHJhY2VfaWTArXBhcmVudF9ydW5faWTArGRvdHRlZF9vcmRlcsCsbmVl"
    "ZHNfcGFyZW50wqpzZXNzaW9uX2lkwKxzZXNzaW9uX25hbWXApG5hbWXAqHJ1bl90eXBlwKpzdGFydF90aW1lwKhlbmRfdGltZdb/aVc1"
    "p7BmaXJzdF90b2tlbl90aW1lwKR0YWdzwKhtZXRhZGF0YcCpdGhyZWFkX2lkwLRyZWZlcmVuY2VfZXhhbXBsZV9pZMCqbW9kZWxfbmFt"
    "ZcCubW9kZWxfcHJvdmlkZXLArXByb21wdF90b2tlbnPAsWNvbXBsZXRpb25fdG9rZW5zwKx0b3RhbF90b2tlbnPAq3Byb21wdF9jb3N0"
    "wK9jb21wbGV0aW9uX2Nvc3TAqnRvdGFsX2Nvc3TApmlucHV0c8Cnb3V0cHV0c6d7ImEiOjF9pWVycm9ywKVleHRyYcCmZXZlbnRzwKpz"
    "ZXJpYWxpemVkwKtyZWNlaXZlZF9hdMtB2lXNaYAAAKpwcm9qZWN0X2lkwKx3b3Jrc3BhY2VfaWTZJDQ0NDQ0NDQ0LTQ0NDQtNDQ0NC04"
    "NDQ0LTQ0NDQ0NDQ0NDQ0NKthdHRhY2htZW50c5GobGF0ZS50eHSnYXR0ZW1wdAI="
)
RUN_ID = "11111111-1111-4111-8111-111111111111"
WORKSPACE = "44444444-4444-4444-8444-444444444444"


def test_an_entry_round_trips() -> None:
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
    root = root_run(tags=["t"], extra={"metadata": {"thread_id": "x"}}, end_time=end)
    runs = [normalize_run(root, "post", 1.5), normalize_run(child_run(root), "post", 1.5)]
    runs[0].project_id = "p"
    feedback = [normalize_feedback({"id": root["id"], "key": "k", "score": 0.5}, 1.5)]
    entry = StreamEntry("w", runs, feedback, [AttachmentRecord(root["id"], "f", "text/plain", b"\x00\xff")])
    assert decode_entry(encode_entry(entry)) == entry


def test_entries_encode_as_maps_keyed_by_field_name() -> None:
    """What keeps old and new versions readable by each other: no positional encoding."""
    run = normalize_run(root_run(), "post", 0)
    raw = msgspec.msgpack.decode(encode_entry(StreamEntry("w", [run])))
    assert raw["workspace_id"] == "w" and raw["runs"][0]["id"] == run.id and raw["runs"][0]["kind"] == "post"


def test_an_entry_queued_by_the_dict_based_version_is_read() -> None:
    entry = decode_entry(OLD_ENTRY)
    assert entry.workspace_id == WORKSPACE
    (run,) = entry.runs
    assert (run.kind, run.id, run.trace_id, run.name, run.run_type) == ("post", RUN_ID, RUN_ID, "root", "llm")
    assert run.start_time == dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    assert run.end_time == dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=dt.UTC)
    assert run.tags == ["a", "b"] and run.metadata == {"thread_id": "t-1", "ls_model_name": "m", "n": "2"}
    assert (run.prompt_tokens, run.completion_tokens, run.total_tokens, run.total_cost) == (3, 4, 7, 0.5)
    assert run.project_id == "22222222-2222-4222-8222-222222222222" and run.inputs == '{"q":"hi"}'
    assert (run.attempt, run.workspace_id, run.attachments) == (0, None, None)  # keys it did not have
    (fb,) = entry.feedback
    assert (fb.run_id, fb.key, fb.score, fb.comment, fb.project_id) == (RUN_ID, "k", 1.0, "ok", None)
    assert fb.created_at == dt.datetime.fromtimestamp(1767323045.5, dt.UTC)
    assert entry.attachments == [AttachmentRecord(RUN_ID, "img", "image/png", b"\x89PNG")]
    # Read again, it is what this version would have queued for the same records.
    assert decode_entry(encode_entry(entry)) == entry


def test_a_deferred_record_of_the_dict_based_version_is_read() -> None:
    entry = decode_entry(OLD_DEFERRED)
    assert entry.feedback == [] and entry.attachments == []
    (run,) = entry.runs
    assert (run.kind, run.attempt, run.workspace_id, run.attachments) == ("patch", 2, WORKSPACE, ["late.txt"])
    assert run.project_id is None and run.outputs == '{"a":1}'


def test_a_replayed_writer_letter_is_read() -> None:
    """app/core/deadletters.py replays a writer-stage letter as a plain map around the record."""
    record = normalize_run(root_run(), "post", 0)
    item = msgspec.msgpack.decode(msgspec.msgpack.encode(record))
    item["attempt"] = 0
    raw = msgspec.msgpack.encode({"workspace_id": "w", "runs": [item], "feedback": [], "attachments": []})
    assert decode_entry(raw).runs == [record]
