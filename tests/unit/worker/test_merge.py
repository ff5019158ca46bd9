"""Stage 2's merge rules: order independence, idempotence, patch before post, and the row."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from app.core.tables import RUN_COLUMNS
from tests.support.ingest_helpers import root_run
from worker.merge import STATE_FIELDS, complete, merge, row, state_from_row, status_of
from worker.normalize import normalize_run
from worker.records import RunRecord, RunState

END = "2026-01-02T03:04:09+00:00"


def _records(run: dict[str, Any]) -> tuple[RunRecord, RunRecord]:
    post = normalize_run(dict(run), "post", 0)
    patch = normalize_run(
        {
            "id": run["id"],
            "trace_id": run["trace_id"],
            "dotted_order": run["dotted_order"],
            "end_time": dt.datetime.now(dt.UTC).isoformat(),
            "outputs": {"a": 1},
            "inputs": {"changed": True},
            "name": None,
            "extra": {"metadata": {"late": "yes"}},
        },
        "patch",
        0,
    )
    for r in (post, patch):
        r.workspace_id, r.project_id = "w", "p"
    return post, patch


def _versioned(state: RunState) -> RunState:
    return msgspec.structs.replace(state, version=1)


def test_merge_is_order_independent_and_idempotent() -> None:
    run = root_run(extra={"metadata": {"early": "yes"}})
    post, patch = _records(run)
    a = merge(merge(None, post), patch)
    b = merge(merge(None, patch), post)
    c = merge(merge(merge(a, post), patch), post)  # retries and duplicates
    for state in (a, b, c):
        assert row(_versioned(state)) == row(_versioned(a))
    assert a.inputs == post.inputs  # the post's inputs win
    assert a.name == run["name"]  # an explicit null in the patch changes nothing
    assert status_of(a) == "success" and complete(a)
    assert a.metadata == {"early": "yes", "late": "yes"}


def test_merge_does_not_change_its_inputs() -> None:
    post, patch = _records(root_run())
    first = merge(None, post)
    before = msgspec.structs.asdict(first)
    merge(first, patch)
    assert msgspec.structs.asdict(first) == before


def test_patch_before_post() -> None:
    run = root_run(name="from-post")
    post, patch = _records(run)
    patch.project_id, patch.start_time, patch.name = None, None, "from-patch"
    alone = merge(None, patch)
    assert not alone.has_post and not complete(alone)  # no place yet: the writer defers it
    both = merge(alone, post)
    assert both.has_post and complete(both)
    assert both.name == "from-patch"  # the patch is newer than the post
    assert both.inputs == post.inputs and both.outputs == patch.outputs
    assert both.project_id == "p" and both.start_time == post.start_time
    assert status_of(both) == "success"


def test_patch_extra_is_merged_key_by_key() -> None:
    run = root_run(extra={"a": 1, "metadata": {"x": "1"}})
    post, patch = _records(run)
    state = merge(merge(None, post), patch)
    assert msgspec.json.decode(state.extra or "") == {"a": 1, "metadata": {"x": "1", "late": "yes"}}


def test_attachments_accumulate_across_ops() -> None:
    post, patch = _records(root_run())
    post.attachments, patch.attachments = ["b", "a"], ["c", "a"]
    assert merge(merge(None, post), patch).attachments == ["a", "b", "c"]


def test_state_is_the_row_less_its_derived_columns() -> None:
    """RunState spells the runs table's columns out; RUN_COLUMNS is checked against the live table."""
    assert set(RunState.__struct_fields__) - {"has_post"} == set(STATE_FIELDS)
    merged = set(STATE_FIELDS) - {"workspace_id", "id", "version", "attachments"}
    assert merged <= set(RunRecord.__struct_fields__)  # merge reads them off the record by name
    post, _ = _records(root_run())
    assert len(row(_versioned(merge(None, post)))) == len(RUN_COLUMNS)


def test_state_from_row_reads_back_what_row_wrote() -> None:
    post, _ = _records(root_run(outputs={"o": 1}))
    post.project_id = str(uuid.uuid4())
    state = _versioned(merge(None, post))
    values = dict(zip(RUN_COLUMNS, row(state), strict=True))
    values["id"] = uuid.UUID(state.id)  # ClickHouse answers UUID columns with UUIDs
    back = state_from_row(values)
    assert back.id == state.id and isinstance(back.id, str)
    assert back.received_at == state.received_at
    assert back.prompt_tokens is None  # zero counts mean unknown
    assert row(back) == row(state)
