"""SQL for datasets, their versions, tags and shares (Postgres). Every statement is scoped by
workspace_id, directly or through a dataset id already resolved within the caller's workspace."""

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
