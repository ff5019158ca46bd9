"""Stage 2 of ingestion: the one writer that merges records into runs and inserts in batches.

Every queue worker runs a writer thread; a Redis lock makes exactly one of them active, and a
standby takes over within WRITER_LOCK_SECONDS when the active one dies. Being alone is what
makes the merge safe without cross-process coordination: records of a run are merged in stream
order against state this writer wrote itself (its cache) or read back from ClickHouse.

    XREADGROUP (≈1000 runs or 1 s) → merge by run id → INSERT runs / feedback / attachments
    → XACK + XDEL

Nothing is acknowledged before ClickHouse has it. If ClickHouse is down the batch is retried
with backoff while the entries stay pending in the stream; if the process dies, the next writer
claims the pending entries and writes them again (ReplacingMergeTree keeps one row per run).
Records that cannot be placed yet (a patch whose post has not arrived, a legacy child whose
parent is unknown) wait in a delayed set and come back; after DEFER_DELAYS they are
dead-lettered.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from typing import Any

import msgspec
import redis
from rq import Queue
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler

from app.core import redis_keys
from app.core.clickhouse import ClickHouse, Profile
from app.core.deadletters import note_dropped, push_letters
from app.core.errors import StoreUnavailable, TracehouseError
from app.core.ingest import dead_letter
from app.core.runs_table import RUN_COLUMNS
from worker.merge import STATE_FIELDS, complete, merge, row, state_from_row
from worker.normalize import segment

log = logging.getLogger("tracehouse.writer")

BATCH_RUNS = 1000
BATCH_SECONDS = 1.0
DEFER_DELAYS = (2, 5, 15, 60, 300)
CACHE_RUNS = 50_000

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode

INSERT_RUNS = "INSERT INTO runs ({}) VALUES".format(", ".join(RUN_COLUMNS))
INSERT_FEEDBACK = """INSERT INTO feedback (workspace_id, id, run_id, trace_id, project_id, key, score, value,
comment, correction, feedback_source, source_type, feedback_config, extra, comparative_experiment_id,
feedback_group_id, start_time, created_at, modified_at, version) VALUES"""
INSERT_ATTACHMENTS = """INSERT INTO run_attachments (workspace_id, run_id, name, content_type, size, data,
received_at, version) VALUES"""
SELECT_STATES = "SELECT {} FROM runs FINAL WHERE workspace_id = %(workspace_id)s AND id IN %(ids)s".format(
    ", ".join(STATE_FIELDS)
)
# Extend the lock only if we still hold it (a stale writer must not steal it back).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class Writer:
    def __init__(
        self,
        connection: redis.Redis,
        clickhouse: ClickHouse,
        *,
        lock_seconds: float = 15.0,
        cleanup_queues: list[Queue] | None = None,
        abandoned_after: float = 30.0,
    ) -> None:
        self.redis = connection
        self.ch = clickhouse
        self.name = f"{socket.gethostname()}.{os.getpid()}.{threading.get_ident()}"
        self.lock_ms = int(lock_seconds * 1000)
        self.cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.cleanup_queues = cleanup_queues or []
        self._renew = self.redis.register_script(_RENEW)
        self._leading = False
        self._claim_all = False
        self._last_cleanup = 0.0
        self.abandoned_after = abandoned_after
        # (queue, job id) -> when housekeeping first saw it dequeued but not started (_rescue_dequeued)
        self._dequeued_since: dict[tuple[str, str], float] = {}
        self._scheduler: RQScheduler | None = None
        if self.cleanup_queues:
            self._scheduler = RQScheduler(
                self.cleanup_queues, connection=connection, serializer=self.cleanup_queues[0].serializer
            )
            self._scheduler.prepare_registries([q.name for q in self.cleanup_queues])

    # --- leadership ------------------------------------------------------------------------------

    def lead(self) -> bool:
        if self._leading and self._renew(keys=[redis_keys.WRITER_LOCK], args=[self.name, self.lock_ms]):
            return True
        acquired = bool(self.redis.set(redis_keys.WRITER_LOCK, self.name, nx=True, px=self.lock_ms))
        if acquired:
            log.info("writer %s is now the active writer", self.name)
            self.cache.clear()  # what another writer did since is not in our cache
            self._claim_all = True
        self._leading = acquired
        return acquired

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(redis_keys.RECORDS_STREAM, redis_keys.WRITER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # --- main loop -------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                self.ensure_group()
                if not self.lead():
                    stop.wait(1.0)
                    continue
                self.housekeeping()
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
        if self._leading:
            self.redis.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end",
                1,
                redis_keys.WRITER_LOCK,
                self.name,
            )

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

    def read_batch(self, stop: threading.Event | None) -> list[tuple[bytes, dict[str, Any]]]:
        if self._claim_all:
            # After a takeover, first re-read what earlier writers read but never acknowledged.
            self._claim_all = False
            claimed = self.redis.xautoclaim(
                redis_keys.RECORDS_STREAM,
                redis_keys.WRITER_GROUP,
                self.name,
                min_idle_time=0,
                start_id="0-0",
                count=200,
            )
            pending = [(i, f) for i, f in claimed[1] if f]
            if pending:
                log.info("writer claimed %d pending entries", len(pending))
                self._claim_all = len(claimed[1]) >= 200
                return [(i, _decode(f[b"d"])) for i, f in pending]
        entries: list[tuple[bytes, dict[str, Any]]] = []
        runs = 0
        deadline = None
        while runs < BATCH_RUNS:
            block_ms = 1000 if deadline is None else int(max(1, (deadline - time.monotonic()) * 1000))
            if deadline is not None and time.monotonic() >= deadline:
                break
            got = self.redis.xreadgroup(
                redis_keys.WRITER_GROUP, self.name, {redis_keys.RECORDS_STREAM: ">"}, count=20, block=block_ms
            )
            if not got:
                if deadline is None and (stop is None or stop.is_set() or not entries):
                    break
                continue
            for entry_id, fields in got[0][1]:
                data = _decode(fields[b"d"])
                entries.append((entry_id, data))
                runs += len(data.get("runs", ())) + len(data.get("feedback", ())) + 1
            if deadline is None:
                deadline = time.monotonic() + BATCH_SECONDS
        return entries

    # --- writing ---------------------------------------------------------------------------------

    def write(self, entries: list[tuple[bytes, dict[str, Any]]]) -> None:
        version = time.time_ns()
        run_records: list[tuple[str, dict[str, Any]]] = []
        feedback_rows: list[tuple[Any, ...]] = []
        attachment_rows: list[tuple[Any, ...]] = []
        attachment_names: dict[tuple[str, str], list[str]] = {}
        for _, entry in entries:
            workspace = entry["workspace_id"]
            for record in entry.get("runs", ()):
                run_records.append((workspace, record))
            for fb in entry.get("feedback", ()):
                feedback_rows.append(_feedback_row(workspace, fb, version))
            for att in entry.get("attachments", ()):
                attachment_rows.append(
                    (
                        workspace,
                        att["run_id"],
                        att["name"],
                        att["content_type"],
                        len(att["data"]),
                        att["data"],
                        dt.datetime.now(dt.UTC),
                        version,
                    )
                )
                attachment_names.setdefault((workspace, att["run_id"]), []).append(att["name"])

        states, deferred, dead = self.merge_all(run_records, attachment_names, version)
        rows = [row(s) for s in states.values()]
        if rows:
            self.ch.insert(INSERT_RUNS, rows)
        if feedback_rows:
            self.ch.insert(INSERT_FEEDBACK, feedback_rows)
        if attachment_rows:
            self.ch.insert(INSERT_ATTACHMENTS, attachment_rows)
        self.remember(states)
        with self.redis.pipeline() as pipe:
            now = time.time()
            for workspace, record in deferred:
                attempt = record.get("attempt", 0)
                record["attempt"] = attempt + 1
                due = now + DEFER_DELAYS[attempt]
                pipe.zadd(redis_keys.DEFERRED, {_encode({"workspace_id": workspace, "runs": [record]}): due})
            push_letters(self.redis, dead, pipeline=pipe)
            patch_first = [s["id"] for s in states.values() if not s.get("has_post")]
            merged = [s["id"] for s in states.values() if s.get("has_post")]
            if patch_first:
                pipe.sadd(redis_keys.PATCH_FIRST, *patch_first)
            if merged:
                pipe.srem(redis_keys.PATCH_FIRST, *merged)
            results = pipe.execute()
        if dead:
            note_dropped(results[len(deferred)])  # the script's answer follows one ZADD per deferred

    def merge_all(
        self,
        records: list[tuple[str, dict[str, Any]]],
        attachment_names: dict[tuple[str, str], list[str]],
        version: int,
    ) -> tuple[dict[str, dict[str, Any]], list[tuple[str, dict[str, Any]]], list[bytes]]:
        known = self.load_states(records)
        states: dict[str, dict[str, Any]] = {}
        deferred: list[tuple[str, dict[str, Any]]] = []
        dead: list[bytes] = []
        for workspace, record in records:
            run_id = record["id"]
            record["workspace_id"] = workspace
            record["attachments"] = attachment_names.pop((workspace, run_id), None)
            previous = states.get(run_id) or known.get(run_id)
            if previous is not None and previous["workspace_id"] != workspace:
                dead.append(_set_aside(workspace, record, "run id already used by another workspace"))
                continue
            state = merge(previous, record)
            if state.get("dotted_order") is None and state.get("parent_run_id"):
                parent = states.get(state["parent_run_id"]) or known.get(state["parent_run_id"])
                if parent and parent.get("dotted_order") and state.get("start_time"):
                    state["trace_id"] = parent["trace_id"]
                    state["dotted_order"] = parent["dotted_order"] + "." + segment(state["start_time"], run_id)
            if not complete(state):
                attempt = record.get("attempt", 0)
                if attempt >= len(DEFER_DELAYS):
                    dead.append(_set_aside(workspace, record, _incomplete_reason(state)))
                else:
                    deferred.append((workspace, record))
                continue
            state["version"] = max(version, (previous or {}).get("version") or 0) + 1
            states[run_id] = state
        return states, deferred, dead

    def load_states(self, records: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
        """Previous states of the runs in `records` that this batch may need: from the cache, and
        from ClickHouse for patches, legacy children's parents and known patch-first runs."""
        known: dict[str, dict[str, Any]] = {}
        must: dict[str, str] = {}  # run id -> workspace: read it back if it exists
        maybe: dict[str, str] = {}  # posts: read back only if a patch-first row was written
        for workspace, record in records:
            for run_id, needed in (
                (record["id"], record["kind"] == "patch"),
                (record.get("parent_run_id"), bool(record.get("needs_parent"))),
            ):
                if not run_id or run_id in known:
                    continue
                cached = self.cache.get(run_id)
                if cached is not None:
                    known[run_id] = cached
                elif needed:
                    must[run_id] = workspace
                elif run_id == record["id"]:
                    maybe[run_id] = workspace
        candidates = list({**maybe, **must})
        if not candidates:
            return known
        # One round trip tells both which posts need a read-back and, for what is read back,
        # whether its row came from a patch alone.
        patch_first = {
            r
            for r, flag in zip(candidates, self.redis.smismember(redis_keys.PATCH_FIRST, candidates), strict=True)
            if flag
        }
        wanted: dict[str, set[str]] = {}
        for run_id, workspace in {**maybe, **must}.items():
            if run_id in must or run_id in patch_first:
                wanted.setdefault(workspace, set()).add(run_id)
        for workspace, ids in wanted.items():
            rows = self.ch.query(SELECT_STATES, {"workspace_id": workspace, "ids": tuple(ids)}, profile=Profile.QUERY)
            for values in rows:
                state = state_from_row(dict(zip(STATE_FIELDS, values, strict=True)))
                state["has_post"] = state["id"] not in patch_first
                known[state["id"]] = state
        return known

    def remember(self, states: dict[str, dict[str, Any]]) -> None:
        """Cache states a later op may merge into: unfinished runs and patch-first runs."""
        for run_id, state in states.items():
            if state.get("end_time") is None or not state.get("has_post"):
                self.cache[run_id] = state
                self.cache.move_to_end(run_id)
            else:
                self.cache.pop(run_id, None)
        while len(self.cache) > CACHE_RUNS:
            self.cache.popitem(last=False)

    # --- housekeeping ----------------------------------------------------------------------------

    def housekeeping(self) -> None:
        now = time.time()
        due = self.redis.zrangebyscore(redis_keys.DEFERRED, 0, now, start=0, num=500)
        if due:
            with self.redis.pipeline() as pipe:
                for item in due:
                    pipe.xadd(redis_keys.RECORDS_STREAM, {"d": item})
                    pipe.zrem(redis_keys.DEFERRED, item)
                pipe.execute()
        if now - self._last_cleanup > 2:
            # Stage-1 jobs of a worker that died mid-job go back to their queue (rq's own
            # maintenance runs only every 10 minutes), and retries that are due are enqueued even
            # while rq's scheduler lock is still held by a dead worker (it lapses after ~2 min).
            # Running a job twice is harmless: stage 1 is idempotent.
            self._last_cleanup = now
            for queue in self.cleanup_queues:
                StartedJobRegistry(queue=queue).cleanup()
                self._rescue_dequeued(queue)
            if self._scheduler is not None:
                self._scheduler.enqueue_scheduled_jobs()

    def _rescue_dequeued(self, queue: Queue) -> None:
        """rq moves a job to the queue's intermediate list when a worker takes it, then registers it
        as started. A worker killed between the two leaves the job in neither the queue nor the
        started registry, and rq only looks there every 10 minutes. A job seen there, unstarted,
        for `abandoned_after` seconds goes back to the front of its queue."""
        intermediate = queue.intermediate_queue
        waiting = set(intermediate.get_job_ids())
        started = set(queue.started_job_registry.get_job_ids(cleanup=False))
        now = time.monotonic()
        for name, job_id in list(self._dequeued_since):
            if name == queue.name and (job_id not in waiting or job_id in started):
                del self._dequeued_since[(name, job_id)]
        for job_id in waiting - started:
            first = self._dequeued_since.setdefault((queue.name, job_id), now)
            if now - first < self.abandoned_after:
                continue
            job = queue.fetch_job(job_id)
            intermediate.remove(job_id)
            del self._dequeued_since[(queue.name, job_id)]
            if job is not None:
                log.warning("job %s was taken by a worker that died before starting it; requeued", job_id)
                queue.enqueue_job(job, at_front=True)


def _set_aside(workspace: str, record: dict[str, Any], reason: str) -> bytes:
    """A dead letter of the writer stage: it holds the normalised record, which a replay sends
    straight back to the writer."""
    return dead_letter(
        workspace_id=workspace, stage="writer", kind=record["kind"], item_id=record["id"], reason=reason, item=record
    )


def _incomplete_reason(state: dict[str, Any]) -> str:
    if not state.get("has_post") and not state.get("project_id"):
        return "a patch whose post never arrived (no project or start time known)"
    if state.get("parent_run_id") and not state.get("dotted_order"):
        return f"parent run {state['parent_run_id']} never arrived, so the trace is unknown"
    return "run lacks a start time, project or trace position"


def _feedback_row(workspace: str, fb: dict[str, Any], version: int) -> tuple[Any, ...]:
    return (
        workspace,
        fb["id"],
        fb["run_id"],
        fb["trace_id"],
        fb["project_id"],
        fb["key"],
        fb["score"],
        fb["value"],
        fb["comment"],
        fb["correction"],
        fb["feedback_source"],
        fb["source_type"],
        fb["feedback_config"],
        fb["extra"],
        fb["comparative_experiment_id"],
        fb["feedback_group_id"],
        fb["start_time"],
        fb["created_at"],
        fb["modified_at"],
        version,
    )


__all__ = ("TracehouseError", "Writer")
