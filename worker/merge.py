"""Stage 2's pure logic: merge a run's ops into one state, and a state into a `runs` row.

Merge rules (order-independent for one post and its patches, idempotent for duplicates):
- a post merged into a known state: the state's values win (they came from a patch, which is
  newer), except `inputs`, where the post wins (the SDK omits inputs on patch);
- a patch merged into a known state: the patch's non-null values win, except `inputs`, where the
  existing value is kept; `extra` is merged key by key, the patch winning.
- a preview goes with its payload (`inputs_preview` with `inputs`, and so on): stage 1 sets both
  or neither, so the rules above keep them matched.
- retention stamps (`retention_days`, `payload_retention_days`) only grow: the larger value wins
  whatever the order, so no older version of a row outlives the newest under the TTLs
  (migrations/clickhouse/0004_retention.sql).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import msgspec

from app.core.previews import error_preview, preview
from app.core.retention import DEFAULT_LONG_DAYS
from app.core.tables import RUN_COLUMNS
from worker.records import RunRecord, RunState

_decode = msgspec.json.decode
_encode = msgspec.json.encode

# `runs` columns in INSERT order (the DDL is migrations/clickhouse/0001_runs.sql).
# Computed from the state when a row is built, never stored in it.
DERIVED_COLUMNS = frozenset({"status", "latency_seconds"})
# The state a run row is built from (and read back into from ClickHouse).
STATE_FIELDS = tuple(c for c in RUN_COLUMNS if c not in DERIVED_COLUMNS)
_MERGED = tuple(
    f
    for f in STATE_FIELDS
    if f
    not in (
        "workspace_id", "id", "version", "inputs", "inputs_preview", "extra", "attachments",
        "retention_days", "payload_retention_days",
    )
)  # fmt: skip


def _larger(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


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


def merge(state: RunState | None, record: RunRecord) -> RunState:
    """Fold one normalised record into a run's state (a new state; inputs are not mutated).
    The record's workspace_id must be set (the writer sets it from its stream entry)."""
    is_post = record.kind == "post"
    if state is None:
        assert record.workspace_id is not None
        return RunState(
            workspace_id=record.workspace_id,
            project_id=record.project_id,
            id=record.id,
            trace_id=record.trace_id,
            parent_run_id=record.parent_run_id,
            dotted_order=record.dotted_order,
            name=record.name,
            run_type=record.run_type,
            start_time=record.start_time,
            end_time=record.end_time,
            first_token_time=record.first_token_time,
            tags=record.tags,
            metadata=record.metadata,
            thread_id=record.thread_id,
            reference_example_id=record.reference_example_id,
            model_name=record.model_name,
            model_provider=record.model_provider,
            prompt_tokens=record.prompt_tokens,
            completion_tokens=record.completion_tokens,
            total_tokens=record.total_tokens,
            prompt_cost=record.prompt_cost,
            completion_cost=record.completion_cost,
            total_cost=record.total_cost,
            inputs=record.inputs,
            outputs=record.outputs,
            error=record.error,
            extra=record.extra,
            events=record.events,
            serialized=record.serialized,
            attachments=list(record.attachments or []),
            received_at=record.received_at,
            inputs_preview=record.inputs_preview,
            outputs_preview=record.outputs_preview,
            error_preview=record.error_preview,
            retention_days=record.retention_days,
            payload_retention_days=record.payload_retention_days,
            prompt_token_details=record.prompt_token_details,
            completion_token_details=record.completion_token_details,
            prompt_cost_details=record.prompt_cost_details,
            completion_cost_details=record.completion_cost_details,
            cost_source=record.cost_source,
            has_post=is_post,
        )
    out = copy.copy(state)
    for f in _MERGED:
        value = getattr(record, f)
        if value is None:
            continue
        if f == "metadata" and out.metadata:
            out.metadata = {**out.metadata, **value} if not is_post else {**value, **out.metadata}
        elif not is_post or getattr(out, f) is None:
            setattr(out, f, value)
    if record.inputs is not None and (is_post or out.inputs is None):
        out.inputs = record.inputs
        out.inputs_preview = record.inputs_preview
    if is_post:
        out.extra = _merge_extra(record.extra, state.extra)
    else:
        out.extra = _merge_extra(state.extra, record.extra)
    out.attachments = sorted(set(out.attachments or []) | set(record.attachments or []))
    out.retention_days = _larger(state.retention_days, record.retention_days)
    out.payload_retention_days = _larger(state.payload_retention_days, record.payload_retention_days)
    out.has_post = state.has_post or is_post
    return out


def status_of(state: RunState) -> str:
    if state.error:
        return "error"
    return "success" if state.end_time is not None else "pending"


def latency_of(state: RunState) -> float | None:
    start, end = state.start_time, state.end_time
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def complete(state: RunState) -> bool:
    """A row can be written: it has a place (project, time) and a tree position."""
    return bool(state.project_id and state.start_time and state.trace_id and state.dotted_order)


def row(state: RunState) -> tuple[Any, ...]:
    """The `runs` row of a complete state (in RUN_COLUMNS order)."""
    received = state.received_at or 0.0
    return (
        state.workspace_id,
        state.project_id,
        state.id,
        state.trace_id,
        state.parent_run_id,
        state.dotted_order,
        state.name or "",
        state.run_type or "chain",
        status_of(state),
        state.start_time,
        state.end_time,
        latency_of(state),
        state.first_token_time,
        state.tags or [],
        state.metadata or {},
        state.thread_id,
        state.reference_example_id,
        state.model_name or "",
        state.model_provider or "",
        state.prompt_tokens or 0,
        state.completion_tokens or 0,
        state.total_tokens or 0,
        state.prompt_cost,
        state.completion_cost,
        state.total_cost,
        state.inputs or "{}",
        state.outputs or "",
        state.error,
        state.extra or "{}",
        state.events or "[]",
        state.serialized or "",
        state.attachments or [],
        dt.datetime.fromtimestamp(received, dt.UTC),
        state.version,
        *previews_of(state),
        *stamps_of(state),
        state.prompt_token_details or {},
        state.completion_token_details or {},
        state.prompt_cost_details or {},
        state.completion_cost_details or {},
        state.cost_source or "",
    )


def stamps_of(state: RunState) -> tuple[int, int]:
    """The row's retention days and payload days. A record queued before retention existed has
    none: it gets the long tier's default, as the column's DEFAULT gives older rows."""
    days = state.retention_days or DEFAULT_LONG_DAYS
    return days, min(state.payload_retention_days or days, days)


def previews_of(state: RunState) -> tuple[str, str, str]:
    """The row's previews: the ones stage 1 made, else (a state read back from a row written
    before previews were stored, then patched) made here from its JSON text, so a re-written row
    never keeps a NULL preview."""
    inputs, outputs, error = state.inputs_preview, state.outputs_preview, state.error_preview
    if inputs is None:
        inputs = preview(_decoded(state.inputs), user=True)
    if outputs is None:
        outputs = preview(_decoded(state.outputs), user=False)
    if error is None:
        error = error_preview(state.error) or ""
    return inputs, outputs, error


def _decoded(text: str | None) -> Any:
    if not text:
        return None
    try:
        return _decode(text)
    except msgspec.DecodeError:
        return None


def state_from_row(values: dict[str, Any]) -> RunState:
    """A row read back from ClickHouse → a state (ids as strings, zero counts as unknown).
    `has_post` is left False: only the writer knows (from the patch-first set)."""
    state: dict[str, Any] = {f: values.get(f) for f in STATE_FIELDS}
    for f in ("workspace_id", "project_id", "id", "trace_id", "parent_run_id", "reference_example_id"):
        if state[f] is not None:
            state[f] = str(state[f])
    for f in ("prompt_tokens", "completion_tokens", "total_tokens"):
        state[f] = state[f] or None
    for f in ("name", "model_name", "model_provider", "outputs", "serialized", "cost_source"):
        state[f] = state[f] or None
    for f in ("prompt_token_details", "completion_token_details", "prompt_cost_details", "completion_cost_details"):
        state[f] = dict(state[f]) if state[f] else None
    received = state.get("received_at")
    state["received_at"] = received.timestamp() if isinstance(received, dt.datetime) else received
    return RunState(**state)
