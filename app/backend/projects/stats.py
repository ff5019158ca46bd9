"""Project statistics, computed in ClickHouse for a page of projects in one query.

Counts, latency and error rate are over root runs (traces, what a project's list shows); token
and cost totals are over every run, where the usage is recorded.
"""

from __future__ import annotations

import math
from typing import Any

from app.core.clickhouse import ClickHouse

PROJECT_STATS = """
SELECT
    project_id,
    countIf(parent_run_id IS NULL) AS run_count,
    quantilesIf(0.5, 0.99)(latency_seconds, parent_run_id IS NULL AND latency_seconds IS NOT NULL) AS latency,
    quantilesIf(0.5, 0.99)(
        dateDiff('microsecond', start_time, first_token_time) / 1e6,
        parent_run_id IS NULL AND first_token_time IS NOT NULL
    ) AS first_token,
    sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
    sum(prompt_cost), sum(completion_cost), sum(total_cost),
    countIf(parent_run_id IS NULL AND status = 'error') AS errors,
    maxIf(start_time, parent_run_id IS NULL) AS last_start
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id IN %(projects)s
GROUP BY project_id
"""

# Feedback on the projects' runs (found through the runs, since a feedback part may not name its
# session) plus session-level feedback (summary evaluators: no run, the project's id).
FEEDBACK_STATS = """
SELECT project, key, count(), avg(score), stddevPop(score)
FROM (
    SELECT r.project_id AS project, f.key AS key, f.score AS score
    FROM (SELECT key, score, run_id FROM feedback FINAL
          WHERE workspace_id = %(workspace_id)s AND run_id IS NOT NULL AND is_deleted = 0) AS f
    INNER JOIN (SELECT id, project_id FROM runs FINAL
                WHERE workspace_id = %(workspace_id)s AND project_id IN %(projects)s) AS r ON f.run_id = r.id
    UNION ALL
    SELECT assumeNotNull(project_id) AS project, key, score FROM feedback FINAL
    WHERE workspace_id = %(workspace_id)s AND run_id IS NULL AND project_id IN %(projects)s AND is_deleted = 0
)
GROUP BY project, key
"""


async def project_stats(ch: ClickHouse, workspace_id: str, project_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not project_ids:
        return {}
    params = {"workspace_id": workspace_id, "projects": tuple(project_ids)}
    stats: dict[str, dict[str, Any]] = {}
    for row in await ch.aquery(PROJECT_STATS, params):
        (
            project,
            runs,
            latency,
            first_token,
            prompt,
            completion,
            total,
            prompt_cost,
            completion_cost,
            total_cost,
            errors,
            last_start,
        ) = row
        stats[str(project)] = {
            "run_count": runs,
            "latency_p50": _q(latency, 0, runs),
            "latency_p99": _q(latency, 1, runs),
            "first_token_p50": _q(first_token, 0, runs),
            "first_token_p99": _q(first_token, 1, runs),
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": total,
            "prompt_cost": prompt_cost,
            "completion_cost": completion_cost,
            "total_cost": total_cost,
            "error_rate": errors / runs if runs else None,
            "last_run_start_time": last_start if runs else None,
            "feedback_stats": {},
        }
    for project, key, n, avg, stdev in await ch.aquery(FEEDBACK_STATS, params):
        entry = stats.setdefault(str(project), {"run_count": 0, "feedback_stats": {}})
        entry["feedback_stats"][key] = {"n": n, "avg": avg, "stdev": stdev, "errors": 0, "values": {}}
    return stats


def _q(values: list[float], index: int, runs: int) -> float | None:
    value = values[index] if values else None
    return None if not runs or value is None or math.isnan(value) else float(value)  # NaN: no rows matched
