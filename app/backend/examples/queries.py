"""SQL for examples (Postgres). `examples` is the current state; `example_revisions` every state
ever written, one row per example per dataset version (see migration 0008)."""

EXAMPLE_COLUMNS = "id, dataset_id, inputs, outputs, metadata, source_run_id, attachments, created_at, modified_at"

# The two sources a listing reads from: now, or each example's newest revision at `as_of`.
# Both give the same columns, so filters and paging are written once (`listing.py`).
CURRENT_SOURCE = f"""
SELECT {EXAMPLE_COLUMNS} FROM examples WHERE workspace_id = %(workspace_id)s
"""

AS_OF_SOURCE = """
SELECT id, dataset_id, inputs, outputs, metadata, source_run_id, attachments, created_at, modified_at
FROM (
    SELECT DISTINCT ON (r.example_id)
        r.example_id AS id, r.dataset_id, r.inputs, r.outputs, r.metadata, r.source_run_id, r.attachments,
        r.created_at, r.version AS modified_at, r.deleted
    FROM example_revisions r
    JOIN datasets d ON d.id = r.dataset_id AND d.workspace_id = %(workspace_id)s
    WHERE r.version <= %(as_of)s AND (%(dataset_id)s::uuid IS NULL OR r.dataset_id = %(dataset_id)s)
    ORDER BY r.example_id, r.version DESC
) s
WHERE NOT s.deleted
"""

LOCK_EXAMPLES = f"""
SELECT {EXAMPLE_COLUMNS}, workspace_id FROM examples
WHERE workspace_id = %(workspace_id)s AND id = ANY(%(ids)s)
ORDER BY id
FOR UPDATE
"""

EXISTING_IDS = "SELECT id, workspace_id, dataset_id FROM examples WHERE id = ANY(%(ids)s)"

INSERT_EXAMPLE = """
INSERT INTO examples (id, workspace_id, dataset_id, inputs, outputs, metadata, source_run_id, attachments,
                      created_at, modified_at)
VALUES (%(id)s, %(workspace_id)s, %(dataset_id)s, %(inputs)s, %(outputs)s, %(metadata)s, %(source_run_id)s,
        %(attachments)s, %(created_at)s, %(version)s)
"""

UPDATE_EXAMPLE = """
UPDATE examples SET inputs = %(inputs)s, outputs = %(outputs)s, metadata = %(metadata)s,
    attachments = %(attachments)s, modified_at = %(version)s
WHERE id = %(id)s AND workspace_id = %(workspace_id)s
"""

INSERT_REVISION = """
INSERT INTO example_revisions (dataset_id, example_id, version, deleted, inputs, outputs, metadata, source_run_id,
                               attachments, created_at)
VALUES (%(dataset_id)s, %(id)s, %(version)s, %(deleted)s, %(inputs)s, %(outputs)s, %(metadata)s, %(source_run_id)s,
        %(attachments)s, %(created_at)s)
"""

DELETE_CURRENT = "DELETE FROM examples WHERE workspace_id = %(workspace_id)s AND id = ANY(%(ids)s)"

# Hard delete: every trace of the example, all versions and bytes included.
HARD_DELETE_REVISIONS = """
DELETE FROM example_revisions r USING datasets d
WHERE d.id = r.dataset_id AND d.workspace_id = %(workspace_id)s AND r.example_id = ANY(%(ids)s)
"""
HARD_DELETE_ATTACHMENTS = """
DELETE FROM example_attachments WHERE workspace_id = %(workspace_id)s AND example_id = ANY(%(ids)s)
"""
HARD_DELETED_DATASETS = """
SELECT DISTINCT r.dataset_id FROM example_revisions r JOIN datasets d ON d.id = r.dataset_id
WHERE d.workspace_id = %(workspace_id)s AND r.example_id = ANY(%(ids)s)
"""

INSERT_ATTACHMENT = """
INSERT INTO example_attachments (id, workspace_id, dataset_id, example_id, name, mime_type, content)
VALUES (%(id)s, %(workspace_id)s, %(dataset_id)s, %(example_id)s, %(name)s, %(mime_type)s, %(content)s)
"""

SELECT_ATTACHMENT = """
SELECT name, mime_type, content, dataset_id FROM example_attachments
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
"""

SPLITS_AT = """
SELECT DISTINCT jsonb_array_elements_text(
    CASE jsonb_typeof(metadata -> 'dataset_split') WHEN 'array' THEN metadata -> 'dataset_split'
    ELSE '["base"]'::jsonb END) AS split
FROM ({source}) e
WHERE e.dataset_id = %(dataset_id)s
ORDER BY 1
"""
