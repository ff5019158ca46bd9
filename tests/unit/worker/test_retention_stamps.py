"""Retention stamps (issue 19): what a project's settings mean in days, and that a run's stamp
only grows through the merge, so no older version of a row outlives the newest under the TTLs."""

from __future__ import annotations

import itertools

from app.core.retention import DEFAULT_LONG_DAYS, Stamp, stamp_of
from app.core.tables import RUN_COLUMNS
from tests.support.ingest_helpers import root_run
from worker.merge import merge, row, stamps_of
from worker.normalize import normalize_run
from worker.records import RunRecord


def test_no_settings_keep_everything_for_the_long_default() -> None:
    assert stamp_of(None) == Stamp(days=DEFAULT_LONG_DAYS, payload_days=DEFAULT_LONG_DAYS, long_days=400)
    assert stamp_of({"trace_tier": None}) == stamp_of(None)


def test_the_project_chooses_its_tier_else_the_workspace_does() -> None:
    ws = {"ws_default_trace_tier": "shortlived", "ws_shortlived_ttl_days": 7, "ws_longlived_ttl_days": 90}
    assert stamp_of(ws) == Stamp(days=7, payload_days=7, long_days=90)
    assert stamp_of({**ws, "trace_tier": "longlived"}).days == 90
    assert stamp_of({**ws, "trace_tier": "longlived", "longlived_ttl_days": 365}).days == 365


def test_payload_days_never_exceed_the_rows_days() -> None:
    ws = {"ws_shortlived_ttl_days": 14, "ws_payload_ttl_days": 30}
    assert stamp_of({**ws, "trace_tier": "shortlived"}).payload_days == 14
    assert stamp_of(ws).payload_days == 30  # the long default tier, payloads first
    assert stamp_of({**ws, "payload_ttl_days": 3}).payload_days == 3


def _ops() -> list[RunRecord]:
    run = root_run("r")
    post = normalize_run(dict(run), "post", 0)
    patch = normalize_run({"id": run["id"], "end_time": run["start_time"], "outputs": {"a": 1}}, "patch", 0)
    again = normalize_run({"id": run["id"], "outputs": {"b": 2}}, "patch", 0)
    for r in (post, patch, again):
        r.workspace_id, r.project_id = "w", "p"
    post.retention_days, post.payload_retention_days = 14, 14
    patch.retention_days, patch.payload_retention_days = 400, 30  # the project changed meanwhile
    return [post, patch, again]


def test_stamps_only_grow_whatever_the_order_of_ops() -> None:
    for order in itertools.permutations(_ops()):
        state = None
        for record in order:
            state = merge(state, record)
        assert state is not None
        assert (state.retention_days, state.payload_retention_days) == (400, 30)


def test_the_row_carries_the_stamps_and_a_record_without_them_gets_the_default() -> None:
    post = _ops()[0]
    post.retention_days = post.payload_retention_days = None
    state = merge(None, post)
    values = dict(zip(RUN_COLUMNS, row(state), strict=True))
    assert (values["retention_days"], values["payload_retention_days"]) == (DEFAULT_LONG_DAYS, DEFAULT_LONG_DAYS)
    state.retention_days, state.payload_retention_days = 14, 60
    assert stamps_of(state) == (14, 14)
