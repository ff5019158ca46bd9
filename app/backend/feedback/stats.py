"""Feedback stats: per subject (a run or a project) and key, the count, mean and population
standard deviation of the scores. Run reads, project stats and the experiment comparison all read
them here, so the aggregate is written once (queries.py)."""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple

from app.backend.feedback import queries as q
from app.core.clickhouse import ClickHouse


class ScoreStats(NamedTuple):
    n: int
    avg: float | None
    stdev: float | None


class Scope(Enum):
    """Which scores count for a subject; the value is the statement that reads them."""

    RUNS = q.RUN_FEEDBACK_STATS  # scores left on the runs themselves
    PROJECTS = q.PROJECT_FEEDBACK_STATS  # on any run of the project, plus session-level scores
    PROJECT_ROOTS = q.ROOT_RUN_FEEDBACK_STATS  # on the project's root runs only
    SESSIONS = q.SESSION_FEEDBACK_STATS  # session-level scores only (summary evaluators)


async def feedback_stats(
    clickhouse: ClickHouse, workspace: str, scope: Scope, subjects: tuple[str, ...]
) -> dict[str, dict[str, ScoreStats]]:
    """subject id (as text) → feedback key → its stats; subjects are run ids for Scope.RUNS,
    project ids otherwise. Subjects without feedback are absent."""
    params: dict[str, Any] = {"workspace_id": workspace, "runs": subjects, "projects": subjects}
    stats: dict[str, dict[str, ScoreStats]] = {}
    for subject, key, n, avg, stdev in await clickhouse.aquery(scope.value, params):
        stats.setdefault(str(subject), {})[key] = ScoreStats(n, avg, stdev)
    return stats
