"""How often the writer defers a record it cannot place yet (worker/deferred.py)."""

from __future__ import annotations

from worker import deferred
from worker.records import RunRecord


def test_a_record_is_deferred_only_as_often_as_there_are_delays() -> None:
    record = RunRecord(kind="patch", id="r", attempt=len(deferred.DEFER_DELAYS) - 1)
    assert deferred.tries_left(record)
    record.attempt += 1
    assert not deferred.tries_left(record)
