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

import copy
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
from app.core.metrics import INGEST_LAG, WRITER_BATCH_ITEMS, WRITER_INSERT_SECONDS, note_store_error
from app.core.retention import DEFAULT_LONG_DAYS
from worker import deferred
from worker import queries as q
from worker.leader import Lead, WriterLock
from worker.maintenance import QueueMaintenance
from worker.merge import STATE_FIELDS, complete, merge, row, state_from_row
from worker.normalize import segment
from worker.periodic import Periodic
from worker.pricing import PriceBook, price
from worker.records import (
    AttachmentRecord,
    FeedbackRecord,
    RunRecord,
    RunState,
    StreamEntry,
    UpgradeRecord,
    decode_entry,
)

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
        prices: PriceBook | None = None,
    ) -> None:
        self.redis = connection
        self.ch = clickhouse
        self.lock = lock
        self.name = lock.owner
        self.maintenance = maintenance
        self.periodic = periodic
        self.prices = prices
        self.cache: OrderedDict[str, RunState] = OrderedDict()
        # Traces this writer upgraded to the long tier (trace id -> days, payload days), so runs
        # of theirs that arrive later get the long stamp too. In memory like the cache: a new
        # leader starts without it, and such late runs then keep their project's tier.
        self.upgraded: OrderedDict[str, tuple[int, int]] = OrderedDict()
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
                if isinstance(exc, redis.RedisError):
                    note_store_error("redis")  # StoreUnavailable counts itself
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
        attachments: list[tuple[str, AttachmentRecord]] = []
        attachment_names: dict[tuple[str, str], list[str]] = {}
        upgrades: list[tuple[str, UpgradeRecord]] = []
        for _, entry in entries:
            workspace = entry.workspace_id
            for record in entry.runs:
                run_records.append((workspace, record))
            for fb in entry.feedback:
                feedback_rows.append(_feedback_row(workspace, fb, version))
            for att in entry.attachments:
                attachments.append((workspace, att))
                attachment_names.setdefault((workspace, att.run_id), []).append(att.name)
            upgrades.extend((workspace, u) for u in entry.upgrades)

        states, waiting, dead = self.merge_all(run_records, attachment_names, version)
        if upgrades:
            self.apply_upgrades(upgrades, states, version)
        attachment_rows: list[tuple[Any, ...]] = []
        if attachments:
            now = dt.datetime.now(dt.UTC)
            attachment_rows = [
                (
                    workspace,
                    att.run_id,
                    att.name,
                    att.content_type,
                    len(att.data),
                    att.data,
                    now,
                    version,
                    _payload_expiry(states.get(att.run_id) or self.cache.get(att.run_id), now),
                )
                for workspace, att in attachments
            ]
        # Read after the batch was read, so a delete accepted before then is seen here
        # (app/core/deletions.py): nothing of a deleted scope is written back.
        self.tombstones.refresh(self.redis)
        if self.tombstones:
            states, waiting, feedback_rows, attachment_rows = self.drop_deleted(
                states, waiting, feedback_rows, attachment_rows
            )
        rows = [row(s) for s in states.values()]
        for table, statement, table_rows in (
            ("runs", q.INSERT_RUNS, rows),
            ("feedback", q.INSERT_FEEDBACK, feedback_rows),
            ("attachments", q.INSERT_ATTACHMENTS, attachment_rows),
        ):
            if table_rows:
                started = time.perf_counter()
                self.ch.insert(statement, table_rows)
                WRITER_INSERT_SECONDS.labels(table).observe(time.perf_counter() - started)
                WRITER_BATCH_ITEMS.labels(table).observe(len(table_rows))
        written = time.time()
        for _, record in run_records:
            if record.received_at is not None and record.id in states:
                INGEST_LAG.observe(max(0.0, written - record.received_at))
        self.remember(states)
        with self.redis.pipeline() as pipe:
            now_s = time.time()
            for workspace, record in waiting:
                deferred.defer(pipe, workspace, record, now_s)
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

    def apply_upgrades(
        self, upgrades: list[tuple[str, UpgradeRecord]], states: dict[str, RunState], version: int
    ) -> None:
        """Raise the retention stamps of every stored run of the upgraded traces (adding the
        re-stamped rows to `states`, the batch's rows to write) and re-stamp their attachments.
        The newest state of a run is this batch's, else the cache's, else ClickHouse's: the same
        order the merge uses, so an upgrade never writes an older version of a run over a newer."""
        wanted: dict[str, dict[str, UpgradeRecord]] = {}
        for workspace, upgrade in upgrades:
            traces = wanted.setdefault(workspace, {})
            known = traces.get(upgrade.trace_id)
            if known is None or known.days < upgrade.days:
                traces[upgrade.trace_id] = upgrade
        for traces in wanted.values():
            for trace, upgrade in traces.items():
                self.upgraded[trace] = (upgrade.days, upgrade.payload_days)
                self.upgraded.move_to_end(trace)
        while len(self.upgraded) > CACHE_RUNS:
            self.upgraded.popitem(last=False)
        for workspace, traces in wanted.items():
            stored = self.ch.query(
                q.SELECT_TRACE_STATES, {"workspace_id": workspace, "traces": tuple(traces)}, profile=Profile.QUERY
            )
            read = [state_from_row(dict(zip(STATE_FIELDS, values, strict=True))) for values in stored]
            if read:
                flags = self.redis.smismember(redis_keys.PATCH_FIRST, [s.id for s in read])
                for state, flag in zip(read, flags, strict=True):
                    state.has_post = not flag
            candidates: dict[str, RunState] = {s.id: s for s in read}
            for run_id in list(candidates):
                cached = self.cache.get(run_id)
                if cached is not None:
                    candidates[run_id] = cached
            for state in states.values():
                if state.workspace_id == workspace and state.trace_id in traces:
                    candidates[state.id] = state
            starts: dict[str, dt.datetime] = {}
            for run_id, state in candidates.items():
                upgrade = traces[str(state.trace_id)]
                if state.start_time is not None:
                    trace = str(state.trace_id)
                    starts[trace] = max(starts.get(trace, state.start_time), state.start_time)
                if (state.retention_days or 0) >= upgrade.days and (
                    state.payload_retention_days or 0
                ) >= upgrade.payload_days:
                    continue
                raised = copy.copy(state)
                raised.retention_days = max(state.retention_days or 0, upgrade.days)
                raised.payload_retention_days = max(state.payload_retention_days or 0, upgrade.payload_days)
                if run_id not in states:
                    raised.version = max(version, state.version or 0) + 1
                states[run_id] = raised
            for trace, start in starts.items():
                upgrade = traces[trace]
                run_ids = tuple(s.id for s in candidates.values() if str(s.trace_id) == trace)
                expires = _naive_utc(start) + dt.timedelta(days=upgrade.payload_days)
                self.ch.command(
                    q.RESTAMP_ATTACHMENTS,
                    {"workspace_id": workspace, "ids": run_ids, "expires": expires, "version": version},
                )

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
        # One HMGET per batch tells which workspaces' price tables changed (worker/pricing.py).
        tables = self.prices.lists(w for w, _ in records) if self.prices is not None and records else {}
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
            long = self.upgraded.get(str(state.trace_id))
            if long is not None:
                state.retention_days = max(state.retention_days or 0, long[0])
                state.payload_retention_days = max(state.payload_retention_days or 0, long[1])
            if workspace in tables:
                price(state, tables[workspace])
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


def _payload_expiry(state: RunState | None, now: dt.datetime) -> dt.datetime:
    """When an attachment's bytes expire: with its run's payloads when this writer knows the run
    (it usually arrives in the same batch), else the long tier's default from now."""
    if state is not None and state.start_time is not None:
        days = state.payload_retention_days or state.retention_days or DEFAULT_LONG_DAYS
        start = state.start_time
    else:
        days, start = DEFAULT_LONG_DAYS, now
    return _naive_utc(start) + dt.timedelta(days=days)


def _naive_utc(when: dt.datetime) -> dt.datetime:
    """The column is a plain DateTime (UTC); a naive value is UTC already (as ClickHouse gives it)."""
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


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
