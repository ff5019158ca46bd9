"""SQL for feedback (ClickHouse). Updates and deletes re-insert the row with a higher version;
ReplacingMergeTree(version, is_deleted) keeps the newest, and FINAL reads see only that."""

from app.core.tables import FEEDBACK_COLUMNS

INSERT_FEEDBACK = "INSERT INTO feedback (workspace_id, {}, is_deleted) VALUES".format(", ".join(FEEDBACK_COLUMNS))

SELECT_FEEDBACK = """
SELECT {} FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND id = %(id)s AND is_deleted = 0
LIMIT 1
""".format(", ".join(FEEDBACK_COLUMNS))

# Optional filters as `(empty(param) OR ...)` so the statement stays one constant.
LIST_FEEDBACK = """
SELECT {} FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND is_deleted = 0
  AND (empty(%(runs)s) OR has(%(runs)s, toString(run_id)))
  AND (empty(%(keys)s) OR has(%(keys)s, key))
  AND (empty(%(sources)s) OR has(%(sources)s, source_type))
  AND (empty(%(sessions)s) OR has(%(sessions)s, toString(project_id)))
ORDER BY created_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s
""".format(", ".join(FEEDBACK_COLUMNS))

# --- feedback stats -------------------------------------------------------------------------
# One aggregate per (subject, key), written once; a subject is a run or a project, and which
# scores count for it is the source below the aggregate reads.
_FEEDBACK_STATS = """
SELECT subject, key, count(), avg(score), stddevPop(score)
FROM ({scores})
GROUP BY subject, key
"""

# Scores left on the given runs.
_SCORES_OF_RUNS = """
SELECT run_id AS subject, key, score FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IN %(runs)s AND is_deleted = 0
"""

# Scores on the projects' runs, found through the runs, since a feedback part may not name its
# session. `{roots}` narrows the runs to roots.
_SCORES_ON_PROJECT_RUNS = """
SELECT r.project_id AS subject, f.key AS key, f.score AS score
FROM (SELECT key, score, run_id FROM feedback FINAL
      WHERE workspace_id = %(workspace_id)s AND run_id IS NOT NULL AND is_deleted = 0) AS f
INNER JOIN (SELECT id, project_id FROM runs FINAL
            WHERE workspace_id = %(workspace_id)s AND project_id IN %(projects)s{roots}) AS r ON f.run_id = r.id
"""

# Session-level scores (summary evaluators): no run, the project's id.
_SCORES_ON_SESSIONS = """
SELECT assumeNotNull(project_id) AS subject, key, score FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IS NULL AND project_id IN %(projects)s AND is_deleted = 0
"""

RUN_FEEDBACK_STATS = _FEEDBACK_STATS.format(scores=_SCORES_OF_RUNS)
PROJECT_FEEDBACK_STATS = _FEEDBACK_STATS.format(
    scores=_SCORES_ON_PROJECT_RUNS.format(roots="") + "UNION ALL" + _SCORES_ON_SESSIONS
)
ROOT_RUN_FEEDBACK_STATS = _FEEDBACK_STATS.format(
    scores=_SCORES_ON_PROJECT_RUNS.format(roots=" AND parent_run_id IS NULL")
)
SESSION_FEEDBACK_STATS = _FEEDBACK_STATS.format(scores=_SCORES_ON_SESSIONS)

# --- feedback tokens (Postgres) ---------------------------------------------------------------

INSERT_TOKEN = """
INSERT INTO feedback_tokens (id, workspace_id, run_id, feedback_key, feedback_config, expires_at, request_id)
VALUES (%(id)s, %(workspace_id)s, %(run_id)s, %(feedback_key)s, %(feedback_config)s, %(expires_at)s, %(request_id)s)
ON CONFLICT (workspace_id, request_id) DO NOTHING
RETURNING id, expires_at
"""
SELECT_TOKEN_BY_REQUEST = """
SELECT id, expires_at FROM feedback_tokens WHERE workspace_id = %(workspace_id)s AND request_id = %(request_id)s
"""
SELECT_TOKEN = (
    "SELECT workspace_id, run_id, feedback_key, feedback_config, expires_at FROM feedback_tokens WHERE id = %(id)s"
)
LIST_TOKENS = """
SELECT id, expires_at FROM feedback_tokens
WHERE workspace_id = %(workspace_id)s AND (%(run_id)s::uuid IS NULL OR run_id = %(run_id)s)
ORDER BY created_at DESC, id LIMIT %(limit)s OFFSET %(offset)s
"""
