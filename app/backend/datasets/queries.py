"""SQL for datasets, their versions, tags and shares, and their examples (Postgres), plus the runs an
example is copied from (ClickHouse). Every statement is scoped by workspace_id, directly or through a
dataset id already resolved within the caller's workspace."""

DATASET_COLUMNS = (
    "d.id, d.workspace_id, d.name, d.description, d.data_type, d.inputs_schema, d.outputs_schema, "
    "d.transformations, d.metadata, d.share_token, d.created_at, d.modified_at"
)

# Counts are per row of the page, each an index lookup (examples by dataset, projects by
# reference dataset), so a listing costs the page size, not the workspace size.
_WITH_COUNTS = f"""
SELECT {DATASET_COLUMNS},
    (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id) AS example_count,
    (SELECT count(*) FROM projects p
      WHERE p.workspace_id = d.workspace_id AND p.reference_dataset_id = d.id) AS session_count,
    (SELECT max(p.start_time) FROM projects p
      WHERE p.workspace_id = d.workspace_id AND p.reference_dataset_id = d.id) AS last_session_start_time
FROM datasets d
"""

INSERT_DATASET = f"""
INSERT INTO datasets AS d (id, workspace_id, name, description, data_type, inputs_schema, outputs_schema,
                           transformations, metadata, created_at, modified_at)
VALUES (%(id)s, %(workspace_id)s, %(name)s, %(description)s, %(data_type)s, %(inputs_schema)s,
        %(outputs_schema)s, %(transformations)s, %(metadata)s, coalesce(%(created_at)s, now()),
        coalesce(%(created_at)s, now()))
ON CONFLICT DO NOTHING
RETURNING {DATASET_COLUMNS}
"""

SELECT_DATASET = _WITH_COUNTS + "WHERE d.workspace_id = %(workspace_id)s AND d.id = %(id)s"

# Existence and name only: what every sub-resource route checks before it acts.
SELECT_DATASET_REF = "SELECT id, name FROM datasets WHERE workspace_id = %(workspace_id)s AND id = %(id)s"

SELECT_DATASET_BY_SHARE = _WITH_COUNTS + "WHERE d.share_token = %(token)s"

LIST_DATASETS = (
    _WITH_COUNTS
    + """
WHERE d.workspace_id = %(workspace_id)s
  AND (%(name)s::text IS NULL OR d.name = %(name)s)
  AND (%(name_contains)s::text IS NULL OR strpos(lower(d.name), lower(%(name_contains)s)) > 0)
  AND (%(ids)s::uuid[] IS NULL OR d.id = ANY(%(ids)s))
  AND (%(data_types)s::text[] IS NULL OR d.data_type = ANY(%(data_types)s))
  AND (%(metadata)s::jsonb IS NULL OR coalesce(d.metadata, '{}'::jsonb) @> %(metadata)s)
ORDER BY d.created_at DESC, d.id
LIMIT %(limit)s OFFSET %(offset)s
"""
)

UPDATE_DATASET = f"""
UPDATE datasets d SET
    name = CASE WHEN %(set_name)s THEN %(name)s ELSE name END,
    description = CASE WHEN %(set_description)s THEN %(description)s ELSE description END,
    inputs_schema = CASE WHEN %(set_inputs_schema)s THEN %(inputs_schema)s ELSE inputs_schema END,
    outputs_schema = CASE WHEN %(set_outputs_schema)s THEN %(outputs_schema)s ELSE outputs_schema END,
    metadata = CASE WHEN %(set_metadata)s THEN %(metadata)s ELSE metadata END,
    transformations = CASE WHEN %(set_transformations)s THEN %(transformations)s ELSE transformations END
WHERE d.workspace_id = %(workspace_id)s AND d.id = %(id)s
RETURNING {DATASET_COLUMNS}
"""

DELETE_DATASET = "DELETE FROM datasets WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id"

# Serialises writers of one dataset, so versions strictly increase and never interleave.
LOCK_DATASET = """
SELECT id, workspace_id, data_type, inputs_schema, outputs_schema, modified_at FROM datasets
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
FOR UPDATE
"""

TOUCH_DATASET = "UPDATE datasets SET modified_at = %(version)s WHERE id = %(id)s"

# --- versions ---------------------------------------------------------------------------------

LATEST_VERSION_AT = """
SELECT max(version) AS version FROM example_revisions
WHERE dataset_id = %(dataset_id)s AND version <= %(as_of)s
"""

TAG_VERSION = "SELECT version FROM dataset_version_tags WHERE dataset_id = %(dataset_id)s AND tag = %(tag)s"

TAGS_OF_VERSION = """
SELECT tag FROM dataset_version_tags WHERE dataset_id = %(dataset_id)s AND version = %(version)s ORDER BY tag
"""

LIST_VERSIONS = """
SELECT v.version, coalesce(array_agg(t.tag ORDER BY t.tag) FILTER (WHERE t.tag IS NOT NULL), '{}') AS tags
FROM (SELECT DISTINCT version FROM example_revisions WHERE dataset_id = %(dataset_id)s) v
LEFT JOIN dataset_version_tags t ON t.dataset_id = %(dataset_id)s AND t.version = v.version
GROUP BY v.version
HAVING %(search)s::text IS NULL
    OR bool_or(strpos(lower(t.tag), lower(%(search)s)) > 0)
    OR strpos(v.version::text, %(search)s) > 0
ORDER BY v.version DESC
LIMIT %(limit)s OFFSET %(offset)s
"""

UPSERT_TAG = """
INSERT INTO dataset_version_tags (dataset_id, tag, version) VALUES (%(dataset_id)s, %(tag)s, %(version)s)
ON CONFLICT (dataset_id, tag) DO UPDATE SET version = excluded.version
"""

# The state of every example at a version: each example's newest revision at or before it.
STATE_AT = """
SELECT DISTINCT ON (example_id) example_id, version, deleted
FROM example_revisions
WHERE dataset_id = %(dataset_id)s AND version <= %(as_of)s
ORDER BY example_id, version DESC
"""

# --- sharing ----------------------------------------------------------------------------------

SHARE_DATASET = """
UPDATE datasets SET share_token = coalesce(share_token, %(token)s)
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING share_token
"""

UNSHARE_DATASET = """
UPDATE datasets SET share_token = NULL WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id
"""

SELECT_SHARE = "SELECT share_token FROM datasets WHERE workspace_id = %(workspace_id)s AND id = %(id)s"

# Experiments run against a dataset, for public dataset pages.
LIST_DATASET_SESSIONS = """
SELECT id, workspace_id, name, description, extra, reference_dataset_id, start_time, end_time
FROM projects WHERE workspace_id = %(workspace_id)s AND reference_dataset_id = %(dataset_id)s
ORDER BY start_time DESC, id
LIMIT %(limit)s OFFSET %(offset)s
"""


# --- examples ---------------------------------------------------------------------------------
# `examples` is the current state; `example_revisions` every state
# ever written, one row per example per dataset version (see migration 0008).

EXAMPLE_COLUMNS = "id, dataset_id, inputs, outputs, metadata, source_run_id, attachments, created_at, modified_at"

# The two sources a listing reads from: now, or each example's newest revision at `as_of`.
# Both give the same columns, so filters and paging are written once (below, used by `listing.py`).
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

# A listing: the chosen source (`{source}`, one of the two above) under the conditions that apply
# (`{conditions}`, the fragments below joined by AND); every value is a parameter.
LIST_EXAMPLES = """
SELECT e.* FROM ({source}) e WHERE {conditions}
ORDER BY e.created_at, e.id LIMIT %(limit)s OFFSET %(offset)s
"""
COUNT_EXAMPLES = "SELECT count(*) AS n FROM ({source}) e WHERE {conditions}"
BY_DATASET = "e.dataset_id = %(dataset_id)s"
BY_IDS = "e.id = ANY(%(ids)s)"
BY_METADATA = "e.metadata @> %(metadata)s"
BY_SPLITS = (
    "(CASE jsonb_typeof(e.metadata -> 'dataset_split') WHEN 'array' THEN e.metadata -> 'dataset_split' "
    "ELSE '[\"base\"]'::jsonb END) ?| %(splits)s"
)

# The dataset an example belongs to now, or belonged to before it was deleted.
DATASET_OF_EXAMPLE = """
SELECT dataset_id FROM examples WHERE workspace_id = %(workspace_id)s AND id = %(id)s
UNION ALL
SELECT r.dataset_id FROM example_revisions r JOIN datasets d ON d.id = r.dataset_id
WHERE d.workspace_id = %(workspace_id)s AND r.example_id = %(id)s
LIMIT 1
"""

# Runs an example is created from (`source_run_id`), and their attachments (ClickHouse).
SOURCE_RUNS = """
SELECT toString(id), inputs, outputs FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND id IN %(ids)s
"""
SOURCE_RUN_ATTACHMENTS = """
SELECT toString(run_id), name, content_type, data FROM run_attachments FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IN %(ids)s
"""
