"""Stage 2's pure logic: merge a run's ops into one state, and a state into a `runs` row.

Merge rules (order-independent for one post and its patches, idempotent for duplicates):
- a post merged into a known state: the state's values win (they came from a patch, which is
  newer), except `inputs`, where the post wins (the SDK omits inputs on patch);
- a patch merged into a known state: the patch's non-null values win, except `inputs`, where the
  existing value is kept; `extra` is merged key by key, the patch winning.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from app.core.runs_table import RUN_COLUMNS

_decode = msgspec.json.decode
_encode = msgspec.json.encode

# `runs` columns in INSERT order (the DDL is migrations/clickhouse/0001_runs.sql).
# Computed from the state when a row is built, never stored in it.
DERIVED_COLUMNS = frozenset({"status", "latency_seconds"})
# The state a run row is built from (and read back into from ClickHouse).
STATE_FIELDS = tuple(c for c in RUN_COLUMNS if c not in DERIVED_COLUMNS)
_MERGED = tuple(f for f in STATE_FIELDS if f not in ("workspace_id", "id", "version", "inputs", "extra", "attachments"))


def _merge_extra(older: str | None, newer: str | None) -> str | None:
    if older is None or newer is None:
        return newer if newer is not None else older
    try:
        a, b = _decode(older), _decode(newer)
    except msgspec.DecodeError:
        return newer
    if not isinstance(a, dict) or not isinstance(b, dict):
        return newer
    merged = {**a, **b}
    if isinstance(a.get("metadata"), dict) and isinstance(b.get("metadata"), dict):
        merged["metadata"] = {**a["metadata"], **b["metadata"]}
    return _encode(merged).decode()


def merge(state: dict[str, Any] | None, record: dict[str, Any]) -> dict[str, Any]:
    """Fold one normalised record into a run's state (a new dict; inputs are not mutated)."""
    is_post = record["kind"] == "post"
    if state is None:
        out = {f: record.get(f) for f in STATE_FIELDS}
        out["has_post"] = is_post
        out["attachments"] = list(record.get("attachments") or [])
        return out
    out = dict(state)
    for f in _MERGED:
        value = record.get(f)
        if value is None:
            continue
        if f == "metadata" and out.get("metadata"):
            out["metadata"] = {**out["metadata"], **value} if not is_post else {**value, **out["metadata"]}
        elif not is_post or out.get(f) is None:
            out[f] = value
    if record.get("inputs") is not None and (is_post or out.get("inputs") is None):
        out["inputs"] = record["inputs"]
    if is_post:
        out["extra"] = _merge_extra(record.get("extra"), state.get("extra"))
    else:
        out["extra"] = _merge_extra(state.get("extra"), record.get("extra"))
    out["attachments"] = sorted(set(out.get("attachments") or []) | set(record.get("attachments") or []))
    out["has_post"] = bool(state.get("has_post")) or is_post
    return out


def status_of(state: dict[str, Any]) -> str:
    if state.get("error"):
        return "error"
    return "success" if state.get("end_time") is not None else "pending"


def latency_of(state: dict[str, Any]) -> float | None:
    start, end = state.get("start_time"), state.get("end_time")
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def complete(state: dict[str, Any]) -> bool:
    """A row can be written: it has a place (project, time) and a tree position."""
    return bool(
        state.get("project_id") and state.get("start_time") and state.get("trace_id") and state.get("dotted_order")
    )


def row(state: dict[str, Any]) -> tuple[Any, ...]:
    received = state.get("received_at") or 0.0
    return (
        state["workspace_id"],
        state["project_id"],
        state["id"],
        state["trace_id"],
        state.get("parent_run_id"),
        state["dotted_order"],
        state.get("name") or "",
        state.get("run_type") or "chain",
        status_of(state),
        state["start_time"],
        state.get("end_time"),
        latency_of(state),
        state.get("first_token_time"),
        state.get("tags") or [],
        state.get("metadata") or {},
        state.get("thread_id"),
        state.get("reference_example_id"),
        state.get("model_name") or "",
        state.get("model_provider") or "",
        state.get("prompt_tokens") or 0,
        state.get("completion_tokens") or 0,
        state.get("total_tokens") or 0,
        state.get("prompt_cost"),
        state.get("completion_cost"),
        state.get("total_cost"),
        state.get("inputs") or "{}",
        state.get("outputs") or "",
        state.get("error"),
        state.get("extra") or "{}",
        state.get("events") or "[]",
        state.get("serialized") or "",
        state.get("attachments") or [],
        dt.datetime.fromtimestamp(received, dt.UTC),
        state["version"],
    )


def state_from_row(values: dict[str, Any]) -> dict[str, Any]:
    """A row read back from ClickHouse → a state (ids as strings, zero counts as unknown)."""
    state = {f: values.get(f) for f in STATE_FIELDS}
    for f in ("workspace_id", "project_id", "id", "trace_id", "parent_run_id", "reference_example_id"):
        if state[f] is not None:
            state[f] = str(state[f])
    for f in ("prompt_tokens", "completion_tokens", "total_tokens"):
        state[f] = state[f] or None
    for f in ("name", "model_name", "model_provider", "outputs", "serialized"):
        state[f] = state[f] or None
    received = state.get("received_at")
    state["received_at"] = received.timestamp() if isinstance(received, dt.datetime) else received
    return state
