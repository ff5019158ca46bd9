"""Token and cost totals per trace.

Usage is recorded on the LLM runs deep inside a trace; a trace's totals are the sums over all its
runs. As in LangSmith, a root run reports its whole trace's (the runs table, the comparison view).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from app.backend.runs import queries as q
from app.core.clickhouse import ClickHouse

# A run's token and cost breakdowns on the wire (the SDK's Run.prompt_token_details, read back as
# input_token_details) -> (the key of the ingested usage_metadata that holds it, the value type).
DETAIL_FIELDS: dict[str, tuple[str, type]] = {
    "prompt_token_details": ("input_token_details", int),
    "completion_token_details": ("output_token_details", int),
    "prompt_cost_details": ("input_cost_details", float),
    "completion_cost_details": ("output_cost_details", float),
}
# The total each breakdown details: LangSmith answers a breakdown with its total.
DETAIL_OF = {
    "prompt_tokens": "prompt_token_details",
    "completion_tokens": "completion_token_details",
    "prompt_cost": "prompt_cost_details",
    "completion_cost": "completion_cost_details",
}
# The breakdowns the writer prices into their own columns (migrations/clickhouse/0003_run_costs.sql):
# answered when the run's own usage_metadata sent none.
PRICED_DETAILS = ("prompt_cost_details", "completion_cost_details")
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens", "prompt_cost", "completion_cost", "total_cost")


async def trace_usage(
    clickhouse: ClickHouse,
    workspace: str,
    traces: Iterable[Any],
    *,
    since: dt.datetime,
    projects: Iterable[Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """trace id → {field: sum} for USAGE_FIELDS. `since`: the earliest root start among the traces;
    `projects`, when known, narrows the read to them."""
    projects = tuple(str(p) for p in projects or ())
    params = {
        "workspace_id": workspace,
        "since": since,
        "traces": tuple({str(t) for t in traces}),
        "projects": projects,
    }
    rows = await clickhouse.aquery(q.TRACE_USAGE_IN_PROJECTS if projects else q.TRACE_USAGE_ANY_PROJECT, params)
    return {str(trace): dict(zip(USAGE_FIELDS, sums, strict=True)) for trace, *sums in rows}


async def roll_up_root_usage(
    clickhouse: ClickHouse,
    workspace: str,
    projects: list[uuid.UUID] | None,
    rows: list[dict[str, Any]],
    runs: list[dict[str, Any]],
) -> None:
    """Give each root run in `runs` (shaped from `rows`) its trace's usage, for the fields selected."""
    roots = [(row, run) for row, run in zip(rows, runs, strict=True) if "." not in row["dotted_order"]]
    wanted = [f for f in USAGE_FIELDS if f in runs[0]]
    if not roots or not wanted:
        return
    totals = await trace_usage(
        clickhouse,
        workspace,
        (row["trace_id"] for row, _ in roots),
        since=min(row["start_time"] for row, _ in roots),
        projects=projects,
    )
    for row, run in roots:
        for field in wanted:
            total = totals.get(str(row["trace_id"]), {}).get(field)
            if total is not None:
                run[field] = total


def usage_details(outputs: Any, extra: Any) -> dict[str, dict[str, Any] | None]:
    """A run's own token and cost breakdowns (cache reads, reasoning, audio...) from the
    `usage_metadata` it was ingested with, in outputs or else in metadata (where the worker reads
    its counts), for DETAIL_FIELDS. They are read back from the stored JSON rather than kept in
    columns: only the totals are filtered and summed on. Entries that are not non-negative numbers
    are dropped (the SDK takes dict[str, int] and dict[str, Decimal]); a breakdown with none is
    None, as LangSmith sends it."""
    candidates = [
        outputs.get("usage_metadata") if isinstance(outputs, dict) else None,
        extra["metadata"].get("usage_metadata")
        if isinstance(extra, dict) and isinstance(extra.get("metadata"), dict)
        else None,
    ]
    usage = next((c for c in candidates if isinstance(c, dict)), {})
    details: dict[str, dict[str, Any] | None] = {}
    for field, (key, kind) in DETAIL_FIELDS.items():
        given = usage.get(key)
        amounts = {
            str(name): kind(value)
            for name, value in (given.items() if isinstance(given, dict) else ())
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        }
        details[field] = amounts or None
    return details


def priced_details(value: Any) -> dict[str, float] | None:
    """A stored cost breakdown (a Map of Decimal) as the wire's dict[str, float]; None when empty."""
    if not value:
        return None
    return {str(k): float(v) for k, v in dict(value).items()}
