"""Long-tier upgrades (issue 19): a run that gets feedback, is added to a dataset or to an
annotation queue has its whole trace kept for its project's long tier, as LangSmith does.

`keep_long` runs as an rq job (the backend and stage 1 enqueue it by name). It finds the runs'
traces and projects and hands one `UpgradeRecord` per trace to the writer through the records
stream. The writer alone re-writes runs, in stream order, against its own cache: re-stamping the
rows here would race its merges (a patch written between our read and our insert would be lost
under the higher version). Runs not stored yet (feedback sent with the trace, or before the writer
caught up) make the job fail after upgrading the others, and rq retries it a few times.
"""

from __future__ import annotations

import logging
import re

from app.core import redis_keys
from app.core.clickhouse import Profile
from worker import queries as q
from worker.context import context
from worker.records import StreamEntry, UpgradeRecord, encode_entry

log = logging.getLogger("tracehouse.queue")

# A `runs` partition id is the month, toYYYYMM(start_time); anything else is not ours to drop.
_MONTH = re.compile(r"^\d{6}$")


class RunsNotStoredYet(Exception):
    """Raised so rq retries the job: some runs were not in ClickHouse yet."""


def keep_long(workspace_id: str, run_ids: list[str]) -> int:
    """Queue the long-tier upgrade of the traces of `run_ids`. Returns the traces upgraded."""
    ctx = context()
    ids = tuple(dict.fromkeys(run_ids))
    if not ids:
        return 0
    ch = ctx.clickhouse()
    try:
        rows = ch.query(q.SELECT_RUN_TRACES, {"workspace_id": workspace_id, "ids": ids}, profile=Profile.QUERY)
    finally:
        ch.close()
    upgrades: dict[str, UpgradeRecord] = {}
    for _run_id, trace_id, project_id, days, payload_days in rows:
        stamp = ctx.projects.retention(workspace_id, str(project_id))
        if days >= stamp.long_days and payload_days >= stamp.long_days:
            # Already kept that long (a long-tier project, or upgraded before): a trace's runs
            # are stamped alike, so there is nothing to re-write.
            continue
        upgrades[str(trace_id)] = UpgradeRecord(
            trace_id=str(trace_id), days=stamp.long_days, payload_days=stamp.long_days
        )
    if upgrades:
        entry = StreamEntry(workspace_id=workspace_id, upgrades=list(upgrades.values()))
        ctx.redis.xadd(redis_keys.RECORDS_STREAM, {redis_keys.RECORDS_FIELD: encode_entry(entry)})
    missing = set(ids) - {str(r[0]) for r in rows}
    if missing:
        raise RunsNotStoredYet(f"{len(missing)} run(s) not stored yet; retried")
    log.info("kept %d trace(s) of workspace %s for the long tier", len(upgrades), workspace_id)
    return len(upgrades)


def drop_expired_partitions() -> list[str]:
    """Drop the month partitions of `runs` whose rows have all expired (periodic, hourly).

    The TTLs would delete those rows too, but by rewriting each part; a partition drop removes the
    files at once. Checked twice (all partitions, then the one about to go) because a run written
    meanwhile into an old month with a longer stamp would be dropped with it; the writer only does
    that for backfilled runs, and the second check narrows the window to one statement.
    """
    ch = context().clickhouse(timeout=600)
    dropped: list[str] = []
    try:
        for (partition,) in ch.query(q.SELECT_EXPIRED_PARTITIONS, {}, profile=Profile.QUERY):
            if not _MONTH.match(str(partition)):
                continue
            params = {"partition": str(partition)}
            still = ch.query(q.PARTITION_EXPIRED, params, profile=Profile.QUERY)
            if still and still[0][0]:
                ch.command(q.DROP_RUNS_PARTITION, params)
                dropped.append(str(partition))
    finally:
        ch.close()
    if dropped:
        log.info("dropped expired runs partitions %s", ", ".join(dropped))
    return dropped
