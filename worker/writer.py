"""Stage 2 of ingestion: the one writer that merges records into runs and inserts in batches.

Only the writer holding the lock (worker/leader.py) is active. Being alone is what makes the
merge safe without cross-process coordination: records of a run are merged in stream order
against state this writer wrote itself (its cache) or read back from ClickHouse.

    XREADGROUP (≈1000 runs or 1 s) → merge by run id → INSERT runs / feedback / attachments
    → XACK + XDEL

Nothing is acknowledged before ClickHouse has it. If ClickHouse is down the batch is retried
with backoff while the entries stay pending in the stream; if the process dies, the next writer
claims the pending entries and writes them again (ReplacingMergeTree keeps one row per run).
Records that cannot be placed yet wait in the deferred set (worker/deferred.py). Between
batches the active writer also repairs stage 1's rq state (worker/maintenance.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from typing import Any, cast

import redis

from app.core import redis_keys
from app.core.clickhouse import ClickHouse, Profile
from app.core.deadletters import note_dropped, push_letters
from app.core.deletions import Tombstones
from app.core.errors import StoreUnavailable
from app.core.ingest import dead_letter
from worker import deferred
from worker import queries as q
from worker.leader import Lead, WriterLock
from worker.maintenance import QueueMaintenance
from worker.merge import STATE_FIELDS, complete, merge, row, state_from_row
from worker.normalize import segment
from worker.periodic import Periodic
from worker.records import FeedbackRecord, RunRecord, RunState, StreamEntry, decode_entry

log = logging.getLogger("tracehouse.writer")

BATCH_RUNS = 1000
BATCH_SECONDS = 1.0
CACHE_RUNS = 50_000
CLAIM_AT_ONCE = 200
_FIELD = redis_keys.RECORDS_FIELD.encode()  # the client answers with bytes

Entries = list[tuple[bytes, StreamEntry]]
AutoClaimed = tuple[bytes, list[tuple[bytes, dict[bytes, bytes] | None]], list[bytes]]
ReadGroup = list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]


def writer_name() -> str:
    return f"{socket.gethostname()}.{os.getpid()}.{threading.get_ident()}"


class Writer:
    def __init__(
        self,
        connection: redis.Redis,
        clickhouse: ClickHouse,
        *,
        lock: WriterLock,
        maintenance: QueueMaintenance | None = None,
        periodic: Periodic | None = None,
    ) -> None:
        self.redis = connection
        self.ch = clickhouse
        self.lock = lock
        self.name = lock.owner
        self.maintenance = maintenance
        self.periodic = periodic
        self.cache: OrderedDict[str, RunState] = OrderedDict()
        self._claim_all = False
        self.tombstones = Tombstones()

    # --- main loop -------------------------------------------------------------------------------

    def lead(self) -> bool:
        lead = self.lock.claim()
        if lead is Lead.TAKEN:
            self.cache.clear()  # what another writer did since is not in our cache
            self._claim_all = True
        return lead is not Lead.NONE

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(redis_keys.RECORDS_STREAM, redis_keys.WRITER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run(self, stop: threading.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                self.ensure_group()
                if not self.lead():
                    stop.wait(1.0)
                    continue
                deferred.release_due(self.redis)
                if self.maintenance is not None:
                    self.maintenance.run_if_due()
                if self.periodic is not None:
                    self.periodic.run_if_due()
                if self.step(stop):
                    backoff = 1.0
            except (StoreUnavailable, redis.RedisError) as exc:
                log.warning("writer waiting for a store (%s); retrying in %.0fs", exc, backoff)
                self._claim_all = True  # the unacknowledged batch is re-read from the stream
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            except Exception:
                log.exception("writer step failed; retrying")
                self._claim_all = True
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.lock.release()

    def step(self, stop: threading.Event | None = None) -> bool:
        """Read one batch, write it, acknowledge it. Returns whether anything was written."""
        entries = self.read_batch(stop)
        if not entries:
            return False
        self.write(entries)
        ids = [entry_id for entry_id, _ in entries]
        with self.redis.pipeline() as pipe:
            pipe.xack(redis_keys.RECORDS_STREAM, redis_keys.WRITER_GROUP, *ids)
            pipe.xdel(redis_keys.RECORDS_STREAM, *ids)
            pipe.execute()
        return True

    def read_batch(self, stop: threading.Event | None) -> Entries:
        if self._claim_all:
            # After a takeover, first re-read what earlier writers read but never acknowledged.
            self._claim_all = False
            # redis-py types every reply as the union of all replies; XAUTOCLAIM answers
            # (next start id, [(entry id, fields or None if deleted)], [deleted ids]).
            claimed = cast(
                AutoClaimed,
                self.redis.xautoclaim(
                    redis_keys.RECORDS_STREAM,
                    redis_keys.WRITER_GROUP,
                    self.name,
                    min_idle_time=0,
                    start_id="0-0",
                    count=CLAIM_AT_ONCE,
                ),
            )
            pending = [(i, f) for i, f in claimed[1] if f]
            if pending:
                log.info("writer claimed %d pending entries", len(pending))
                self._claim_all = len(claimed[1]) >= CLAIM_AT_ONCE
                return [(i, decode_entry(f[_FIELD])) for i, f in pending]
        entries: Entries = []
        runs = 0
        deadline = None
        while runs < BATCH_RUNS:
            block_ms = 1000 if deadline is None else int(max(1, (deadline - time.monotonic()) * 1000))
            if deadline is not None and time.monotonic() >= deadline:
                break
            # XREADGROUP on one stream answers [(stream, [(entry id, fields)])] or nothing.
            got = cast(
                ReadGroup,
                self.redis.xreadgroup(
                    redis_keys.WRITER_GROUP, self.name, {redis_keys.RECORDS_STREAM: ">"}, count=20, block=block_ms
                ),
            )
            if not got:
                if deadline is None and (stop is None or stop.is_set() or not entries):
                    break
                continue
            for entry_id, fields in got[0][1]:
                entry = decode_entry(fields[_FIELD])
                entries.append((entry_id, entry))
                runs += entry.weight()
            if deadline is None:
                deadline = time.monotonic() + BATCH_SECONDS
        return entries

    # --- writing ---------------------------------------------------------------------------------

    def write(self, entries: Entries) -> None:
        version = time.time_ns()
        run_records: list[tuple[str, RunRecord]] = []
        feedback_rows: list[tuple[Any, ...]] = []
        attachment_rows: list[tuple[Any, ...]] = []
        attachment_names: dict[tuple[str, str], list[str]] = {}
        for _, entry in entries:
            workspace = entry.workspace_id
            for record in entry.runs:
                run_records.append((workspace, record))
            for fb in entry.feedback:
                feedback_rows.append(_feedback_row(workspace, fb, version))
            for att in entry.attachments:
                attachment_rows.append(
                    (
                        workspace,
                        att.run_id,
                        att.name,
                        att.content_type,
                        len(att.data),
                        att.data,
                        dt.datetime.now(dt.UTC),
                        version,
                    )
                )
                attachment_names.setdefault((workspace, att.run_id), []).append(att.name)

        states, waiting, dead = self.merge_all(run_records, attachment_names, version)
        # Read after the batch was read, so a delete accepted before then is seen here
        # (app/core/deletions.py): nothing of a deleted scope is written back.
        self.tombstones.refresh(self.redis)
        if self.tombstones:
            states, waiting, feedback_rows, attachment_rows = self.drop_deleted(
                states, waiting, feedback_rows, attachment_rows
            )
        rows = [row(s) for s in states.values()]
        if rows:
            self.ch.insert(q.INSERT_RUNS, rows)
        if feedback_rows:
            self.ch.insert(q.INSERT_FEEDBACK, feedback_rows)
        if attachment_rows:
            self.ch.insert(q.INSERT_ATTACHMENTS, attachment_rows)
        self.remember(states)
        with self.redis.pipeline() as pipe:
            now = time.time()
            for workspace, record in waiting:
                deferred.defer(pipe, workspace, record, now)
            push_letters(self.redis, dead, pipeline=pipe)
            patch_first = [s.id for s in states.values() if not s.has_post]
            merged = [s.id for s in states.values() if s.has_post]
            if patch_first:
                pipe.sadd(redis_keys.PATCH_FIRST, *patch_first)
            if merged:
                pipe.srem(redis_keys.PATCH_FIRST, *merged)
            results = pipe.execute()
        if dead:
            note_dropped(results[len(waiting)])  # the script's answer follows one ZADD per deferred

    def drop_deleted(
        self,
        states: dict[str, RunState],
        waiting: list[tuple[str, RunRecord]],
        feedback_rows: list[tuple[Any, ...]],
        attachment_rows: list[tuple[Any, ...]],
    ) -> tuple[dict[str, RunState], list[tuple[str, RunRecord]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        dead = self.tombstones.dead
        gone = {r for r, s in states.items() if dead(s.workspace_id, s.project_id, s.trace_id)}
        for run_id in gone:
            del states[run_id]
            self.cache.pop(run_id, None)
        if gone:
            log.info("writer dropped %d run(s) of deleted projects, traces or workspaces", len(gone))
        waiting = [(w, r) for w, r in waiting if not dead(w, r.project_id, r.trace_id)]
        # _feedback_row: (workspace, id, run_id, trace_id, project_id, ...)
        feedback_rows = [
            f for f in feedback_rows if not dead(f[0], f[4], f[3]) and not (f[2] is not None and str(f[2]) in gone)
        ]
        attachment_rows = [a for a in attachment_rows if not dead(a[0]) and str(a[1]) not in gone]
        return states, waiting, feedback_rows, attachment_rows

    def merge_all(
        self,
        records: list[tuple[str, RunRecord]],
        attachment_names: dict[tuple[str, str], list[str]],
        version: int,
    ) -> tuple[dict[str, RunState], list[tuple[str, RunRecord]], list[bytes]]:
        """Merge a batch's run records in stream order. Returns the states to write, the records
        to defer and the dead letters of those set aside."""
        known = self.load_states(records)
        states: dict[str, RunState] = {}
        waiting: list[tuple[str, RunRecord]] = []
        dead: list[bytes] = []
        for workspace, record in records:
            run_id = record.id
            # Both travel with the record if it is deferred or set aside.
            record.workspace_id = workspace
            record.attachments = attachment_names.pop((workspace, run_id), None)
            previous = states.get(run_id) or known.get(run_id)
            if previous is not None and previous.workspace_id != workspace:
                dead.append(_set_aside(workspace, record, "run id already used by another workspace"))
                continue
            state = merge(previous, record)
            if state.dotted_order is None and state.parent_run_id:
                parent = states.get(state.parent_run_id) or known.get(state.parent_run_id)
                if parent and parent.dotted_order and state.start_time:
                    state.trace_id = parent.trace_id
                    state.dotted_order = parent.dotted_order + "." + segment(state.start_time, run_id)
            if not complete(state):
                if deferred.tries_left(record):
                    waiting.append((workspace, record))
                else:
                    dead.append(_set_aside(workspace, record, _incomplete_reason(state)))
                continue
            state.version = max(version, (previous.version if previous else None) or 0) + 1
            states[run_id] = state
        return states, waiting, dead

    def load_states(self, records: list[tuple[str, RunRecord]]) -> dict[str, RunState]:
        """Previous states of the runs in `records` that this batch may need: from the cache, and
        from ClickHouse for patches, legacy children's parents and known patch-first runs."""
        known: dict[str, RunState] = {}
        must: dict[str, str] = {}  # run id -> workspace: read it back if it exists
        maybe: dict[str, str] = {}  # posts: read back only if a patch-first row was written
        for workspace, record in records:
            for run_id, needed in (
                (record.id, record.kind == "patch"),
                (record.parent_run_id, record.needs_parent),
            ):
                if not run_id or run_id in known:
                    continue
                cached = self.cache.get(run_id)
                if cached is not None:
                    known[run_id] = cached
                elif needed:
                    must[run_id] = workspace
                elif run_id == record.id:
                    maybe[run_id] = workspace
        candidates = list({**maybe, **must})
        if not candidates:
            return known
        # One round trip tells both which posts need a read-back and, for what is read back,
        # whether its row came from a patch alone.
        flags = self.redis.smismember(redis_keys.PATCH_FIRST, candidates)
        patch_first = {r for r, flag in zip(candidates, flags, strict=True) if flag}
        wanted: dict[str, set[str]] = {}
        for run_id, workspace in {**maybe, **must}.items():
            if run_id in must or run_id in patch_first:
                wanted.setdefault(workspace, set()).add(run_id)
        for workspace, ids in wanted.items():
            rows = self.ch.query(q.SELECT_STATES, {"workspace_id": workspace, "ids": tuple(ids)}, profile=Profile.QUERY)
            for values in rows:
                state = state_from_row(dict(zip(STATE_FIELDS, values, strict=True)))
                state.has_post = state.id not in patch_first
                known[state.id] = state
        return known

    def remember(self, states: dict[str, RunState]) -> None:
        """Cache states a later op may merge into: unfinished runs and patch-first runs."""
        for run_id, state in states.items():
            if state.end_time is None or not state.has_post:
                self.cache[run_id] = state
                self.cache.move_to_end(run_id)
            else:
                self.cache.pop(run_id, None)
        while len(self.cache) > CACHE_RUNS:
            self.cache.popitem(last=False)


def _set_aside(workspace: str, record: RunRecord, reason: str) -> bytes:
    """A dead letter of the writer stage: it holds the normalised record, which a replay sends
    straight back to the writer."""
    return dead_letter(
        workspace_id=workspace, stage="writer", kind=record.kind, item_id=record.id, reason=reason, item=record
    )


def _incomplete_reason(state: RunState) -> str:
    if not state.has_post and not state.project_id:
        return "a patch whose post never arrived (no project or start time known)"
    if state.parent_run_id and not state.dotted_order:
        return f"parent run {state.parent_run_id} never arrived, so the trace is unknown"
    return "run lacks a start time, project or trace position"


def _feedback_row(workspace: str, fb: FeedbackRecord, version: int) -> tuple[Any, ...]:
    return (
        workspace,
        fb.id,
        fb.run_id,
        fb.trace_id,
        fb.project_id,
        fb.key,
        fb.score,
        fb.value,
        fb.comment,
        fb.correction,
        fb.feedback_source,
        fb.source_type,
        fb.feedback_config,
        fb.extra,
        fb.comparative_experiment_id,
        fb.feedback_group_id,
        fb.start_time,
        fb.created_at,
        fb.modified_at,
        version,
    )
