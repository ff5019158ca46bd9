"""Retention tiers (issue 19): what a project's settings mean in days, shared by the backend
(which shows and validates them) and the queue worker (which stamps each run with them).

A workspace defines a short and a long tier in days and the tier a project gets unless it chooses
its own (LangSmith's `trace_tier`, `shortlived` or `longlived`); a project may also set its own
long-tier days (`longlived_ttl_days`). The payload-first option (`payload_ttl_days`, on the
workspace or the project) lets the heavy columns expire sooner than the row. Without any choice
everything is kept DEFAULT_LONG_DAYS, so installing or upgrading deletes nothing early.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rq import Queue, Retry

SHORT = "shortlived"
LONG = "longlived"
TIERS = (SHORT, LONG)
DEFAULT_SHORT_DAYS = 14
DEFAULT_LONG_DAYS = 400
# Ten years: far beyond any tier in use, and well inside the UInt16 the runs table stores.
MAX_DAYS = 3650


@dataclass(frozen=True)
class Stamp:
    """What a run is stamped with: its days, its payload's days, and the long tier's days (what a
    long-tier upgrade raises the trace to)."""

    days: int
    payload_days: int
    long_days: int


def stamp_of(row: dict[str, Any] | None) -> Stamp:
    """The stamp for a project from its retention row: the project's columns (`trace_tier`,
    `longlived_ttl_days`, `payload_ttl_days`) and the workspace's (`ws_` prefixed; NULL when the
    workspace never saved any). None (the project is unknown) gets the defaults."""
    row = row or {}
    short = row.get("ws_shortlived_ttl_days") or DEFAULT_SHORT_DAYS
    long = row.get("longlived_ttl_days") or row.get("ws_longlived_ttl_days") or DEFAULT_LONG_DAYS
    tier = row.get("trace_tier") or row.get("ws_default_trace_tier") or LONG
    days = short if tier == SHORT else long
    payload = row.get("payload_ttl_days") or row.get("ws_payload_ttl_days") or days
    return Stamp(days=days, payload_days=min(payload, days), long_days=max(long, days))


# Runs not stored yet when the upgrade looks for them (feedback sent with its trace) are looked
# for again: a few tries over about two minutes, then the job fails (visible in rq's registry).
KEEP_LONG_RETRY = Retry(max=8, interval=[2, 5, 10, 20, 30, 30, 30, 30])


def enqueue_keep_long(queue: Queue, workspace_id: str, run_ids: list[str]) -> None:
    """Ask the queue worker to keep these runs' traces for the long tier (worker/retention.py)."""
    if run_ids:
        queue.enqueue_call(
            "worker.retention.keep_long",
            args=(workspace_id, sorted(set(run_ids))),
            result_ttl=0,
            failure_ttl=86400,
            retry=KEEP_LONG_RETRY,
        )
