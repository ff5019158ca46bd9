"""Disk usage and the disk budget (a periodic task, worker/periodic.py).

Every STORAGE_SAMPLE_SECONDS the check samples the installation's bytes (ClickHouse parts on
disk, the Postgres database, Redis's append-only file) and each workspace's and project's
estimated share into Postgres, forecasts when the budget is reached (app/core/storage.py), logs
`storage.budget_forecast` / `storage.budget_exceeded`, keeps the state in Redis for the UI and
alerts, and with STORAGE_ENFORCE=expire_payloads clears the oldest months' payload columns
until the installation is under budget again.

A tenant's share of ClickHouse is an estimate: compressed bytes exist per part and per column, not
per tenant. A project's runs are charged the uncompressed length of their payload columns times
each column's compression ratio (system.parts_columns), plus an equal share per row of everything
else in the runs table; feedback is shared by row count and attachments by their stored size,
both per workspace. The shares of a table add up to its bytes on disk.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg
import redis

from app.core import redis_keys
from app.core.clickhouse import ClickHouse, Profile
from app.core.queue import queue
from app.core.settings import StorageSettings
from app.core.storage import FORECAST_DAYS, BudgetState, current_budget_state, encode_state, forecast
from app.core.webhooks import delivery
from app.core.webhooks.events import record_event
from worker import queries as q
from worker.context import context

log = logging.getLogger("tracehouse.storage")

# How often the periodic task looks; the sample itself is taken every STORAGE_SAMPLE_SECONDS.
CHECK_SECONDS = 60.0
KEEP_SAMPLES_DAYS = 90
PAYLOAD_LENGTH_COLUMNS = ("inputs", "outputs", "events", "serialized", "extra", "error")
_PARTITION = re.compile(r"^\d{6}$")


def check_storage() -> None:
    """The rq job: sample and check if STORAGE_SAMPLE_SECONDS have passed since the last sample."""
    ctx = context()
    storage = ctx.settings.storage
    if not ctx.redis.set(redis_keys.STORAGE_SAMPLE_DUE, "1", nx=True, ex=storage.sample_seconds):
        return
    ch = ctx.clickhouse(timeout=3600)  # enforcement's mutations rewrite whole partitions
    try:
        run_check(ch, ctx.settings.postgres.postgres_dsn, ctx.redis, storage)
    finally:
        ch.close()


@dataclass
class Usage:
    clickhouse: int
    postgres: int
    redis: int
    # (workspace, project or None) -> (bytes, runs)
    tenants: dict[tuple[str, str | None], tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.clickhouse + self.postgres + self.redis


def run_check(ch: ClickHouse, dsn: str, connection: redis.Redis, storage: StorageSettings) -> BudgetState:
    now = dt.datetime.now(dt.UTC)
    previous = current_budget_state(connection)
    with psycopg.connect(dsn, autocommit=True, application_name="tracehouse-storage") as pg:
        usage = measure(ch, pg, connection)
        record(pg, usage, now)
        state = _forecast(pg, storage, now)
        if state.status == "exceeded" and storage.enforce == "expire_payloads":
            cleared = expire_payloads(ch, pg, connection, storage)
            if cleared:
                usage = measure(ch, pg, connection, tenants=False)
                pg.execute(q.INSERT_STORAGE_TOTAL, _total_params(usage, dt.datetime.now(dt.UTC)))
                state = _forecast(pg, storage, dt.datetime.now(dt.UTC))
            state = BudgetState(**{**_fields(state), "cleared_partitions": cleared})
        # Before the state is kept: a retry after a failure here still sees the old state, and
        # the event ids (derived from it) make the retry's events the same ones.
        announce(pg, connection, previous, state)
    connection.set(redis_keys.STORAGE_BUDGET_STATE, encode_state(state))
    _log(state)
    return state


# What a change of the budget's status is called on webhooks (docs/alerts.md, "Disk budget").
BUDGET_EVENTS = {"warning": "storage.budget_forecast", "exceeded": "storage.budget_exceeded", "ok": "storage.budget_ok"}
_WATCHED = {"warning", "exceeded"}


def announce(pg: psycopg.Connection, connection: redis.Redis, previous: BudgetState | None, state: BudgetState) -> int:
    """Send a change of the budget's status (into or out of warning/exceeded) to every enabled
    webhook that asked for disk-budget events, in every workspace. Only the installation's figures
    go out, never another workspace's. Returns the deliveries queued."""
    before = previous.status if previous else "none"
    if state.status == before or not ({before, state.status} & _WATCHED):
        return 0
    event_type = BUDGET_EVENTS.get(state.status, "storage.budget_ok")
    since = previous.checked_at.isoformat() if previous else "-"
    payload = {
        "summary": budget_summary(state),
        "status": state.status,
        "previous_status": before,
        "used_bytes": state.used_bytes,
        "budget_bytes": state.budget_bytes,
        "days_left": state.days_left,
        "forecast_at": state.forecast_at.isoformat() if state.forecast_at else None,
        "growth_bytes_per_day": state.growth_bytes_per_day,
        "cleared_partitions": state.cleared_partitions,
    }
    hooks: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for workspace_id, webhook_id in pg.execute(q.SELECT_STORAGE_WEBHOOKS).fetchall():
        hooks[workspace_id].append(webhook_id)
    queued: list[uuid.UUID] = []
    for workspace_id, webhook_ids in hooks.items():
        # The same change of status gives the same event id (a retry adds nothing).
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"tracehouse:storage:{workspace_id}:{since}:{state.status}")
        with pg.transaction():
            queued += record_event(
                pg,
                event_id=event_id,
                workspace_id=workspace_id,
                event_type=event_type,
                payload=payload,
                webhook_ids=webhook_ids,
            )
    delivery.enqueue(queue(redis_keys.DEFAULT_QUEUE, connection), queued)
    return len(queued)


def budget_summary(state: BudgetState) -> str:
    used, budget = _gb(state.used_bytes), _gb(state.budget_bytes or 0)
    if state.status == "exceeded":
        return f"Tracehouse disk budget exceeded: {used} used of {budget}."
    if state.status == "warning":
        when = state.forecast_at.date().isoformat() if state.forecast_at else "soon"
        return f"Tracehouse disk budget: {used} of {budget} used, forecast to be reached on {when}."
    return f"Tracehouse disk budget back within limits: {used} of {budget} used."


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def measure(ch: ClickHouse, pg: psycopg.Connection, connection: redis.Redis, *, tenants: bool = True) -> Usage:
    row = pg.execute(q.PG_DATABASE_BYTES).fetchone()
    info = connection.info("persistence")
    redis_bytes = int(info.get("aof_current_size") or 0) if info.get("aof_enabled") else 0
    if not redis_bytes:
        redis_bytes = int(connection.info("memory").get("used_memory", 0))
    disk = ch.query(q.CH_DISK_BYTES, profile=Profile.MIGRATE)[0][0] or 0
    usage = Usage(clickhouse=int(disk), postgres=int(row[0]) if row else 0, redis=redis_bytes)
    if tenants:
        usage.tenants = estimate_tenants(ch)
    return usage


def estimate_tenants(ch: ClickHouse) -> dict[tuple[str, str | None], tuple[int, int]]:
    tables = {
        str(t): (int(disk or 0), int(raw or 0), int(rows or 0))
        for t, disk, raw, rows in ch.query(q.CH_TABLE_BYTES, profile=Profile.MIGRATE)
    }
    runs_disk, runs_raw, _ = tables.get("runs", (0, 0, 0))
    table_ratio = runs_disk / runs_raw if runs_raw else 0.0
    ratios = {column: table_ratio for column in PAYLOAD_LENGTH_COLUMNS}
    for column, compressed, raw in ch.query(
        q.CH_PAYLOAD_COLUMN_BYTES, {"columns": PAYLOAD_LENGTH_COLUMNS}, profile=Profile.MIGRATE
    ):
        if raw:
            ratios[str(column)] = int(compressed) / int(raw)
    projects = ch.query(q.CH_RUNS_BY_PROJECT, profile=Profile.MIGRATE)
    payload: dict[tuple[str, str], float] = {}
    rows: dict[tuple[str, str], int] = {}
    for w, p, n, *lengths in projects:
        key = (str(w), str(p))
        rows[key] = int(n)
        payload[key] = sum(int(length) * ratios[c] for c, length in zip(PAYLOAD_LENGTH_COLUMNS, lengths, strict=True))
    total_rows = sum(rows.values())
    payload_total = sum(payload.values())
    # What is not payload (keys, times, names, tokens, indexes, marks) is shared per row. The
    # column ratios are averages over parts, so the payload estimate can overshoot the table a
    # little; it is then scaled down so that the shares still add up to the bytes on disk.
    per_row = max(0.0, runs_disk - payload_total) / total_rows if total_rows else 0.0
    scale = runs_disk / payload_total if payload_total > runs_disk else 1.0
    out: dict[tuple[str, str | None], tuple[int, int]] = {}
    workspace_bytes: dict[str, float] = defaultdict(float)
    workspace_runs: dict[str, int] = defaultdict(int)
    for key, n in rows.items():
        size = payload[key] * scale + n * per_row
        out[key] = (round(size), n)
        workspace_bytes[key[0]] += size
        workspace_runs[key[0]] += n
    for table, sql in (("feedback", q.CH_FEEDBACK_BY_WORKSPACE), ("run_attachments", q.CH_ATTACHMENTS_BY_WORKSPACE)):
        disk = tables.get(table, (0, 0, 0))[0]
        weights = {str(w): int(x or 0) for w, x in ch.query(sql, profile=Profile.MIGRATE)}
        whole = sum(weights.values())
        for w, x in weights.items():
            workspace_bytes[w] += disk * x / whole if whole else 0
    for w, size in workspace_bytes.items():
        out[(w, None)] = (round(size), workspace_runs.get(w, 0))
    return out


def record(pg: psycopg.Connection, usage: Usage, now: dt.datetime) -> None:
    pg.execute(q.INSERT_STORAGE_TOTAL, _total_params(usage, now))
    with pg.cursor() as cursor:
        cursor.executemany(
            q.INSERT_STORAGE_SAMPLE,
            [{"at": now, "w": w, "p": p, "bytes": b, "runs": n} for (w, p), (b, n) in usage.tenants.items()],
        )
    before = now - dt.timedelta(days=KEEP_SAMPLES_DAYS)
    pg.execute(q.PRUNE_STORAGE_TOTALS, {"before": before})
    pg.execute(q.PRUNE_STORAGE_SAMPLES, {"before": before})


def expire_payloads(
    ch: ClickHouse, pg: psycopg.Connection, connection: redis.Redis, storage: StorageSettings
) -> list[str]:
    """Clear the payload columns of the oldest runs partitions, never the current month's, until
    under budget. Returns the partitions cleared."""
    budget = storage.budget_bytes
    assert budget is not None
    current = dt.datetime.now(dt.UTC).strftime("%Y%m")
    done = {str(r[0]) for r in pg.execute(q.SELECT_PAYLOAD_EXPIRED_PARTITIONS).fetchall()}
    cleared: list[str] = []
    for (raw,) in ch.query(q.CH_RUNS_PARTITIONS, profile=Profile.MIGRATE):
        partition = str(raw)
        if not _PARTITION.match(partition) or partition >= current or partition in done:
            continue
        before = measure(ch, pg, connection, tenants=False)
        if before.total < budget:
            break
        for column in q.PAYLOAD_COLUMNS:
            ch.command(q.CLEAR_RUNS_COLUMN_IN_PARTITION.format(column=column, partition=partition))
        after = measure(ch, pg, connection, tenants=False)
        pg.execute(
            q.INSERT_PAYLOAD_EXPIRY,
            {
                "id": uuid.uuid4(),
                "partition": partition,
                "columns": list(q.PAYLOAD_COLUMNS),
                "before": before.clickhouse,
                "after": after.clickhouse,
            },
        )
        log.warning(
            "storage.payloads_expired partition %s: payload columns cleared, ClickHouse %d -> %d bytes",
            partition,
            before.clickhouse,
            after.clickhouse,
            extra={"event": "storage.payloads_expired", "partition": partition},
        )
        cleared.append(partition)
    return cleared


def _forecast(pg: psycopg.Connection, storage: StorageSettings, now: dt.datetime) -> BudgetState:
    since = now - dt.timedelta(days=FORECAST_DAYS + 1)
    samples = [(r[0], int(r[1])) for r in pg.execute(q.SELECT_RECENT_TOTALS, {"since": since}).fetchall()]
    return forecast(samples, storage.budget_bytes, storage.warn_days, now)


def _total_params(usage: Usage, now: dt.datetime) -> dict[str, Any]:
    return {
        "at": now,
        "clickhouse": usage.clickhouse,
        "postgres": usage.postgres,
        "redis": usage.redis,
        "total": usage.total,
    }


def _fields(state: BudgetState) -> dict[str, Any]:
    return {f: getattr(state, f) for f in state.__struct_fields__}


def _log(state: BudgetState) -> None:
    if state.status == "exceeded":
        log.warning(
            "storage.budget_exceeded: %d bytes used of a %d-byte budget",
            state.used_bytes,
            state.budget_bytes,
            extra={"event": "storage.budget_exceeded", "used_bytes": state.used_bytes},
        )
    elif state.status == "warning":
        log.warning(
            "storage.budget_forecast: the %d-byte budget is reached in %.1f days (%s) at %.0f bytes a day",
            state.budget_bytes,
            state.days_left,
            state.forecast_at,
            state.growth_bytes_per_day,
            extra={"event": "storage.budget_forecast", "days_left": state.days_left},
        )
    else:
        log.info("storage checked: %d bytes used, budget %s", state.used_bytes, state.budget_bytes)
