"""SQL for playground dataset runs (Postgres), scoped by workspace_id where a caller reads them."""

COLUMNS = (
    "r.id, r.workspace_id, r.experiment_id, r.dataset_id, r.spec, r.status, r.total, r.completed, r.errors, "
    "r.error, r.created_at, r.updated_at, p.name AS experiment_name"
)

INSERT = """
INSERT INTO playground_dataset_runs (id, workspace_id, experiment_id, dataset_id, spec, status, total, lease_until)
VALUES (%(id)s, %(workspace_id)s, %(experiment_id)s, %(dataset_id)s, %(spec)s, 'running', %(total)s,
        now() + make_interval(secs => %(lease)s))
"""

SELECT = f"""
SELECT {COLUMNS} FROM playground_dataset_runs r LEFT JOIN projects p ON p.id = r.experiment_id
WHERE r.workspace_id = %(workspace_id)s AND r.id = %(id)s
"""

LIST = f"""
SELECT {COLUMNS} FROM playground_dataset_runs r LEFT JOIN projects p ON p.id = r.experiment_id
WHERE r.workspace_id = %(workspace_id)s
  AND (%(dataset_id)s::uuid IS NULL OR r.dataset_id = %(dataset_id)s)
ORDER BY r.created_at DESC
LIMIT %(limit)s OFFSET %(offset)s
"""

# A running run whose lease lapsed (its process died): claim it to resume it here.
CLAIM_ORPHAN = f"""
UPDATE playground_dataset_runs r SET lease_until = now() + make_interval(secs => %(lease)s), updated_at = now()
FROM projects p
WHERE p.id = r.experiment_id AND r.id = (
    SELECT id FROM playground_dataset_runs
    WHERE status = 'running' AND lease_until < now()
    ORDER BY lease_until LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING {COLUMNS}
"""

RENEW = """
UPDATE playground_dataset_runs SET lease_until = now() + make_interval(secs => %(lease)s), updated_at = now()
WHERE id = %(id)s AND status = 'running'
RETURNING status
"""

DONE_ITEMS = "SELECT example_id FROM playground_dataset_run_items WHERE run_id = %(id)s"

RECORD_ITEM = """
WITH item AS (
    INSERT INTO playground_dataset_run_items (run_id, example_id, trace_id, ok)
    VALUES (%(id)s, %(example_id)s, %(trace_id)s, %(ok)s)
    ON CONFLICT DO NOTHING
    RETURNING ok
)
UPDATE playground_dataset_runs SET
    completed = completed + (SELECT count(*) FROM item),
    errors = errors + (SELECT count(*) FROM item WHERE NOT ok),
    updated_at = now()
WHERE id = %(id)s
"""

FINISH = """
UPDATE playground_dataset_runs SET status = %(status)s, error = %(error)s, lease_until = NULL, updated_at = now()
WHERE id = %(id)s AND status = 'running'
"""

CANCEL = """
UPDATE playground_dataset_runs SET status = 'cancelled', lease_until = NULL, updated_at = now()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s AND status = 'running'
RETURNING id
"""

END_EXPERIMENT = "UPDATE projects SET end_time = now() WHERE id = %(id)s"
