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

from app.backend.datasets.versions import resolve_as_of
from app.backend.examples import listing
from app.backend.experiments.schemas import (
    CompareRequest,
    Comparison,
    ExampleRow,
    ExperimentSummary,
    FeedbackAggregate,
    FeedbackCell,
    RunCell,
)
from app.backend.runs.usage import trace_usage
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.errors import BadRequest
from app.core.postgres import Postgres

EXPERIMENTS_OF_DATASET = """
SELECT id, name, extra, start_time FROM projects
WHERE workspace_id = %(workspace_id)s AND reference_dataset_id = %(dataset_id)s AND id = ANY(%(ids)s)
"""

PAGE_RUNS = """
SELECT project_id, reference_example_id, id, trace_id, status, error, outputs, latency_seconds, start_time
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id IN %(experiments)s
  AND parent_run_id IS NULL AND reference_example_id IN %(examples)s
ORDER BY start_time, id
"""

PAGE_FEEDBACK = """
SELECT run_id, key, count(), avg(score), argMax(value, modified_at), argMax(comment, modified_at)
FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND is_deleted = 0 AND run_id IN %(runs)s
GROUP BY run_id, key
"""

EXPERIMENT_AGGREGATES = """
SELECT
    project_id,
    countIf(parent_run_id IS NULL AND reference_example_id IS NOT NULL) AS runs,
    uniqExactIf(reference_example_id, parent_run_id IS NULL AND reference_example_id IS NOT NULL) AS examples,
    countIf(parent_run_id IS NULL AND reference_example_id IS NOT NULL AND status = 'error') AS errors,
    quantilesIf(0.5, 0.99)(latency_seconds, parent_run_id IS NULL AND reference_example_id IS NOT NULL),
    sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(total_cost)
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id IN %(experiments)s
GROUP BY project_id
"""

# Scores on the experiments' root runs, and session-level scores (summary evaluators).
EXPERIMENT_FEEDBACK = """
SELECT r.project_id, f.key, count(), avg(f.score), stddevPop(f.score)
FROM (SELECT run_id, key, score FROM feedback FINAL
      WHERE workspace_id = %(workspace_id)s AND run_id IS NOT NULL AND is_deleted = 0) AS f
INNER JOIN (SELECT id, project_id FROM runs FINAL
            WHERE workspace_id = %(workspace_id)s AND project_id IN %(experiments)s
              AND parent_run_id IS NULL) AS r ON f.run_id = r.id
GROUP BY r.project_id, f.key
"""

SESSION_FEEDBACK = """
SELECT assumeNotNull(project_id), key, count(), avg(score), stddevPop(score)
FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IS NULL AND project_id IN %(experiments)s AND is_deleted = 0
GROUP BY project_id, key
"""


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
        EXPERIMENTS_OF_DATASET, {"workspace_id": workspace_id, "dataset_id": dataset_id, "ids": ids}
    )
    found = {r["id"]: r for r in rows}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise BadRequest(f"experiment {missing[0]} is not an experiment on this dataset")
    return [found[i] for i in dict.fromkeys(ids)]


async def _aggregates(
    clickhouse: ClickHouse, workspace: str, experiments: list[dict[str, Any]]
) -> list[ExperimentSummary]:
    params = {"workspace_id": workspace, "experiments": tuple(str(e["id"]) for e in experiments)}
    results = await side_by_side(
        *(
            partial(clickhouse.aquery, sql, params)
            for sql in (EXPERIMENT_AGGREGATES, EXPERIMENT_FEEDBACK, SESSION_FEEDBACK)
        )
    )
    totals = {str(r[0]): r for r in results[0]}
    feedback: dict[str, dict[str, FeedbackAggregate]] = {}
    for project, key, n, avg, stdev in results[1]:
        feedback.setdefault(str(project), {})[key] = FeedbackAggregate(n=n, avg=_number(avg), stdev=_number(stdev))
    session: dict[str, dict[str, FeedbackAggregate]] = {}
    for project, key, n, avg, stdev in results[2]:
        session.setdefault(str(project), {})[key] = FeedbackAggregate(n=n, avg=_number(avg), stdev=_number(stdev))
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
    rows = await clickhouse.aquery(PAGE_RUNS, params)
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
        partial(clickhouse.aquery, PAGE_FEEDBACK, {"workspace_id": workspace, "runs": tuple(str(r[2]) for r in rows)}),
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
