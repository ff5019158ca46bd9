"""The writer lock (worker/leader.py) and the deferred set (worker/deferred.py) on real Redis.

They run in a database of the stack's Redis that no service uses, so the stack's own writer,
which holds the real lock and drains the real stream, neither interferes nor notices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from app.core import redis_keys
from worker import deferred
from worker.leader import Lead, WriterLock
from worker.records import RunRecord, decode_entry

pytestmark = pytest.mark.stack


@pytest.fixture
def spare(stack_env: dict[str, str]) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(stack_env["REDIS_URL"].rsplit("/", 1)[0] + "/7")
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_one_writer_leads_and_keeps_the_lock(spare: redis.Redis) -> None:
    a, b = WriterLock(spare, "a", 15), WriterLock(spare, "b", 15)
    assert a.claim() is Lead.TAKEN
    assert b.claim() is Lead.NONE and not b.held
    assert a.claim() is Lead.KEPT
    assert spare.get(redis_keys.WRITER_LOCK) == b"a"
    assert 0 < spare.pttl(redis_keys.WRITER_LOCK) <= 15_000


def test_a_standby_takes_over_a_lapsed_lock_and_the_old_holder_cannot_take_it_back(spare: redis.Redis) -> None:
    a, b = WriterLock(spare, "a", 15), WriterLock(spare, "b", 15)
    assert a.claim() is Lead.TAKEN
    spare.delete(redis_keys.WRITER_LOCK)  # what expiry does when `a` stalls past the lock's lifetime
    assert b.claim() is Lead.TAKEN
    assert a.claim() is Lead.NONE and not a.held  # its renewal must not extend b's lock
    assert spare.get(redis_keys.WRITER_LOCK) == b"b"


def test_release_frees_only_our_own_lock(spare: redis.Redis) -> None:
    a, b = WriterLock(spare, "a", 15), WriterLock(spare, "b", 15)
    assert a.claim() is Lead.TAKEN
    spare.delete(redis_keys.WRITER_LOCK)
    assert b.claim() is Lead.TAKEN
    a.release()  # a still believes it holds the lock
    assert spare.get(redis_keys.WRITER_LOCK) == b"b"
    b.release()
    assert spare.get(redis_keys.WRITER_LOCK) is None
    assert a.claim() is Lead.TAKEN  # a standby need not wait for expiry


def test_deferred_records_come_back_when_due_and_count_their_attempts(spare: redis.Redis) -> None:
    record = RunRecord(kind="patch", id="r", workspace_id="w", attachments=["f"])
    with spare.pipeline() as pipe:
        deferred.defer(pipe, "w", record, now=0.0)  # due at DEFER_DELAYS[0]: long past
        deferred.defer(pipe, "w", RunRecord(kind="patch", id="later"), now=4e9)  # not due for decades
        pipe.execute()
    deferred.release_due(spare)
    assert spare.zcard(redis_keys.DEFERRED) == 1
    ((_, fields),) = spare.xrange(redis_keys.RECORDS_STREAM)
    entry = decode_entry(fields[redis_keys.RECORDS_FIELD.encode()])
    assert entry.workspace_id == "w"
    assert entry.runs == [RunRecord(kind="patch", id="r", attempt=1, workspace_id="w", attachments=["f"])]
