"""The data behind a comparison view: for a page of a dataset's examples, each selected
experiment's runs (outputs, status, latency, tokens, cost, feedback scores) side by side, plus
aggregates per experiment.

Examples come from Postgres (one page, optionally at a dataset version); runs, their trace-wide
token and cost totals, and feedback come from ClickHouse in three queries bounded by the page;
the per-experiment aggregates are two more queries over the experiments' root runs. Nothing is
computed by iterating over a whole experiment in Python.
"""

from __future__ import annotations

import math
import uuid
from functools import partial
from typing import Any

import msgspec

from app.backend.datasets import listing
from app.backend.datasets.versions import resolve_as_of
from app.backend.experiments import queries as q
from app.backend.experiments.schemas import (
    CompareRequest,
    Comparison,
    ExampleRow,
    ExperimentSummary,
    FeedbackAggregate,
    FeedbackCell,
    RunCell,
)
from app.backend.feedback.stats import Scope, ScoreStats, feedback_stats
from app.backend.runs.usage import trace_usage
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.errors import BadRequest
from app.core.postgres import Postgres


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _json(text: str | None) -> Any:
    return msgspec.json.decode(text) if text else None


async def _experiments(
    postgres: Postgres, workspace_id: uuid.UUID, dataset_id: uuid.UUID, ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    rows = await postgres.fetch_all(
        q.EXPERIMENTS_OF_DATASET, {"workspace_id": workspace_id, "dataset_id": dataset_id, "ids": ids}
    )
    found = {r["id"]: r for r in rows}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise BadRequest(f"experiment {missing[0]} is not an experiment on this dataset")
    return [found[i] for i in dict.fromkeys(ids)]


def _aggregates_of(stats: dict[str, dict[str, ScoreStats]]) -> dict[str, dict[str, FeedbackAggregate]]:
    return {
        project: {
            key: FeedbackAggregate(n=x.n, avg=_number(x.avg), stdev=_number(x.stdev)) for key, x in by_key.items()
        }
        for project, by_key in stats.items()
    }


async def _aggregates(
    clickhouse: ClickHouse, workspace: str, experiments: list[dict[str, Any]]
) -> list[ExperimentSummary]:
    ids = tuple(str(e["id"]) for e in experiments)
    params = {"workspace_id": workspace, "experiments": ids}
    # Scores on the experiments' root runs, and session-level scores (summary evaluators).
    results = await side_by_side(
        partial(clickhouse.aquery, q.EXPERIMENT_AGGREGATES, params),
        partial(feedback_stats, clickhouse, workspace, Scope.PROJECT_ROOTS, ids),
        partial(feedback_stats, clickhouse, workspace, Scope.SESSIONS, ids),
    )
    totals = {str(r[0]): r for r in results[0]}
    feedback = _aggregates_of(results[1])
    session = _aggregates_of(results[2])
    out = []
    for experiment in experiments:
        key = str(experiment["id"])
        row = totals.get(key)
        runs, examples, errors, latency = (row[1], row[2], row[3], row[4]) if row else (0, 0, 0, [])
        out.append(
            ExperimentSummary(
                id=experiment["id"],
                name=experiment["name"],
                start_time=experiment["start_time"],
                metadata=(experiment["extra"] or {}).get("metadata") or {},
                run_count=runs,
                example_count=examples,
                error_rate=errors / runs if runs else None,
                latency_p50=_number(latency[0]) if runs else None,
                latency_p99=_number(latency[1]) if runs else None,
                prompt_tokens=row[5] if row else 0,
                completion_tokens=row[6] if row else 0,
                total_tokens=row[7] if row else 0,
                total_cost=_number(row[8]) if row else None,
                feedback=feedback.get(key, {}),
                session_feedback=session.get(key, {}),
            )
        )
    return out


async def _page_runs(
    clickhouse: ClickHouse, workspace: str, experiments: list[dict[str, Any]], example_ids: list[uuid.UUID]
) -> dict[tuple[str, str], list[RunCell]]:
    """(experiment id, example id) → that experiment's runs on that example, oldest first."""
    if not example_ids:
        return {}
    params: dict[str, Any] = {
        "workspace_id": workspace,
        "experiments": tuple(str(e["id"]) for e in experiments),
        "examples": tuple(str(i) for i in example_ids),
    }
    rows = await clickhouse.aquery(q.PAGE_RUNS, params)
    if not rows:
        return {}
    usage, feedback = await side_by_side(
        partial(
            trace_usage,
            clickhouse,
            workspace,
            (r[3] for r in rows),
            since=min(r[8] for r in rows),
            projects=params["experiments"],
        ),
        partial(
            clickhouse.aquery, q.PAGE_FEEDBACK, {"workspace_id": workspace, "runs": tuple(str(r[2]) for r in rows)}
        ),
    )
    scores: dict[str, dict[str, FeedbackCell]] = {}
    for run_id, key, n, avg, value, comment in feedback:
        scores.setdefault(str(run_id), {})[key] = FeedbackCell(
            n=n, avg=_number(avg), value=_json(value), comment=comment
        )
    cells: dict[tuple[str, str], list[RunCell]] = {}
    for project, example, run_id, trace_id, status, error, outputs, latency, start in rows:
        totals = usage.get(str(trace_id), {})
        tokens, cost = totals.get("total_tokens"), totals.get("total_cost")
        cells.setdefault((str(project), str(example)), []).append(
            RunCell(
                id=run_id,
                trace_id=trace_id,
                status=status,
                error=error,
                outputs=_json(outputs),
                latency=_number(latency),
                total_tokens=int(tokens or 0),
                total_cost=_number(cost),
                start_time=start,
                feedback=scores.get(str(run_id), {}),
            )
        )
    return cells


async def compare(
    postgres: Postgres,
    clickhouse: ClickHouse,
    workspace_id: uuid.UUID,
    dataset_id: uuid.UUID,
    request: CompareRequest,
) -> Comparison:
    experiments = await _experiments(postgres, workspace_id, dataset_id, request.experiment_ids)
    point = await resolve_as_of(postgres, dataset_id, request.as_of) if request.as_of else None
    filters: dict[str, Any] = {
        "dataset_id": dataset_id,
        "as_of": point,
        "splits": request.splits,
        "ids": request.example_ids,
    }
    examples = await listing.list_examples(
        postgres, workspace_id, limit=request.limit, offset=request.offset, **filters
    )
    total = await listing.count_examples(postgres, workspace_id, **filters)
    workspace = str(workspace_id)
    # The page's runs and the experiments' aggregates are independent: ask ClickHouse for both at once.
    cells, summaries = await side_by_side(
        partial(_page_runs, clickhouse, workspace, experiments, [e["id"] for e in examples]),
        partial(_aggregates, clickhouse, workspace, experiments),
    )
    rows = [
        ExampleRow(
            id=e["id"],
            inputs=e["inputs"] or {},
            outputs=e["outputs"],
            metadata=e["metadata"] or {},
            runs={str(x["id"]): cells.get((str(x["id"]), str(e["id"])), []) for x in experiments},
        )
        for e in examples
    ]
    end = request.offset + len(examples)
    return Comparison(
        dataset_id=dataset_id,
        experiments=summaries,
        examples=rows,
        total=total,
        next_offset=end if end < total else None,
    )
