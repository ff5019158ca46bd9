"""SQL for experiments: comparative experiments and experiments of a dataset (Postgres), and the
comparison view's reads of runs and feedback (ClickHouse)."""

COMPARATIVE_COLUMNS = (
    "c.id, c.workspace_id, c.reference_dataset_id, c.name, c.description, c.experiment_ids, c.extra, "
    "c.created_at, c.modified_at"
)
INSERT_COMPARATIVE = f"""
INSERT INTO comparative_experiments AS c (id, workspace_id, reference_dataset_id, name, description,
                                          experiment_ids, extra, created_at, modified_at)
VALUES (%(id)s, %(workspace_id)s, %(dataset_id)s, %(name)s, %(description)s, %(experiment_ids)s, %(extra)s,
        %(created_at)s, %(created_at)s)
ON CONFLICT (id) DO NOTHING
RETURNING {COMPARATIVE_COLUMNS}
"""
SELECT_COMPARATIVE = f"""
SELECT {COMPARATIVE_COLUMNS} FROM comparative_experiments c WHERE c.workspace_id = %(workspace_id)s AND c.id = %(id)s
"""
LIST_COMPARATIVE = f"""
SELECT {COMPARATIVE_COLUMNS} FROM comparative_experiments c
WHERE c.workspace_id = %(workspace_id)s
  AND (%(dataset_id)s::uuid IS NULL OR c.reference_dataset_id = %(dataset_id)s)
ORDER BY c.created_at DESC, c.id
LIMIT %(limit)s OFFSET %(offset)s
"""
DELETE_COMPARATIVE = """
DELETE FROM comparative_experiments WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id
"""
EXPERIMENTS = """
SELECT id, name, reference_dataset_id FROM projects WHERE workspace_id = %(workspace_id)s AND id = ANY(%(ids)s)
"""

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
