"""Project statistics, computed in ClickHouse for a page of projects in one query.

Counts, latency and error rate are over root runs (traces, what a project's list shows); token
and cost totals are over every run, where the usage is recorded.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from app.backend.feedback.stats import Scope, ScoreStats, feedback_stats
from app.backend.projects import queries as q
from app.core.clickhouse import ClickHouse


async def project_stats(
    ch: ClickHouse, workspace_id: str, project_ids: list[str], since: dt.datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Stats over all time, or over the runs started from `since` on."""
    if not project_ids:
        return {}
    params = {"workspace_id": workspace_id, "projects": tuple(project_ids), "since": since}
    stats: dict[str, dict[str, Any]] = {}
    for row in await ch.aquery(q.PROJECT_STATS, params):
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
            unpriced,
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
            "unpriced_models": sorted(unpriced),
            "feedback_stats": {},
        }
    # Feedback on the projects' runs plus session-level feedback (summary evaluators); over a
    # window, the scores on the runs of the window.
    if since is None:
        by_project = await feedback_stats(ch, workspace_id, Scope.PROJECTS, tuple(project_ids))
    else:
        by_project = {}
        for subject, key, n, avg, stdev in await ch.aquery(q.PROJECT_FEEDBACK_SINCE, params):
            by_project.setdefault(str(subject), {})[key] = ScoreStats(n, avg, stdev)
    for project, by_key in by_project.items():
        entry = stats.setdefault(project, {"run_count": 0, "feedback_stats": {}})
        for key, s in by_key.items():
            entry["feedback_stats"][key] = {"n": s.n, "avg": s.avg, "stdev": s.stdev, "errors": 0, "values": {}}
    return stats


def _q(values: list[float], index: int, runs: int) -> float | None:
    value = values[index] if values else None
    return None if not runs or value is None or math.isnan(value) else float(value)  # NaN: no rows matched
