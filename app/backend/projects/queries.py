"""SQL for projects (Postgres). Every statement is scoped by workspace_id."""

from app.core.tables import UNPRICED_LLM_RUN

PROJECT_COLUMNS = (
    "id, workspace_id, name, description, extra, reference_dataset_id, start_time, end_time,"
    " trace_tier, longlived_ttl_days, payload_ttl_days"
)

INSERT_PROJECT = f"""
INSERT INTO projects (id, workspace_id, name, description, extra, reference_dataset_id, start_time, end_time,
                      trace_tier, longlived_ttl_days, payload_ttl_days)
VALUES (%(id)s, %(workspace_id)s, %(name)s, %(description)s, %(extra)s, %(reference_dataset_id)s,
        coalesce(%(start_time)s, now()), %(end_time)s, %(trace_tier)s, %(longlived_ttl_days)s, %(payload_ttl_days)s)
ON CONFLICT DO NOTHING
RETURNING {PROJECT_COLUMNS}
"""

SELECT_PROJECT = f"""
SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = %(workspace_id)s AND id = %(id)s
"""

SELECT_PROJECT_BY_NAME = f"""
SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = %(workspace_id)s AND name = %(name)s
"""

# Optional filters are written as `(param IS NULL OR ...)` so the statement stays one constant.
LIST_PROJECTS = f"""
SELECT {PROJECT_COLUMNS} FROM projects
WHERE workspace_id = %(workspace_id)s
  AND (%(name)s::text IS NULL OR name = %(name)s)
  AND (%(name_contains)s::text IS NULL OR strpos(lower(name), lower(%(name_contains)s)) > 0)
  AND (%(ids)s::uuid[] IS NULL OR id = ANY(%(ids)s))
  AND (%(datasets)s::uuid[] IS NULL OR reference_dataset_id = ANY(%(datasets)s))
  AND (%(reference_free)s::bool IS NULL OR (reference_dataset_id IS NULL) = %(reference_free)s)
  AND (%(metadata)s::jsonb IS NULL OR coalesce(extra -> 'metadata', '{{}}'::jsonb) @> %(metadata)s)
ORDER BY start_time DESC, id
LIMIT %(limit)s OFFSET %(offset)s
"""

# Null means "unchanged" on this wire (the SDK always sends all four keys, wire §4).
UPDATE_PROJECT = f"""
UPDATE projects SET
    name = coalesce(%(name)s, name),
    description = coalesce(%(description)s, description),
    extra = coalesce(%(extra)s, extra),
    end_time = coalesce(%(end_time)s, end_time)
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING {PROJECT_COLUMNS}
"""

DELETE_PROJECT = "DELETE FROM projects WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id, name"

# Stats for a page of projects: counts, latency and error rate over root runs (traces, what a
# project's list shows); token and cost totals over every run, where the usage is recorded.
# `since` (null: all time) keeps the runs started from then on. `unpriced_models` names the models
# of LLM runs that recorded tokens but no cost: their cost is unknown, not zero, and the UI says so.
PROJECT_STATS = f"""
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
    maxIf(start_time, parent_run_id IS NULL) AS last_start,
    groupUniqArrayIf(20)(model_name, {UNPRICED_LLM_RUN}) AS unpriced_models
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id IN %(projects)s
  AND (%(since)s IS NULL OR start_time >= %(since)s)
GROUP BY project_id
"""

# Feedback stats over a window: the scores left on the projects' runs that started in it (the
# all-time figures, with session-level scores, are feedback.stats' Scope.PROJECTS).
PROJECT_FEEDBACK_SINCE = """
SELECT r.project_id AS subject, f.key AS key, count(), avg(f.score), stddevPop(f.score)
FROM (SELECT key, score, run_id FROM feedback FINAL
      WHERE workspace_id = %(workspace_id)s AND run_id IS NOT NULL AND is_deleted = 0) AS f
INNER JOIN (SELECT id, project_id FROM runs FINAL
            WHERE workspace_id = %(workspace_id)s AND project_id IN %(projects)s
              AND start_time >= %(since)s) AS r ON f.run_id = r.id
GROUP BY subject, key
"""
