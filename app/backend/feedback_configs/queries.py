"""SQL for feedback configs (Postgres). Every statement is scoped by workspace_id; the live
config of a key is the one row with `NOT is_deleted` (a partial unique index holds that)."""

COLUMNS = """id, workspace_id, feedback_key, feedback_config, is_lower_score_better, is_enforced,
is_deleted, modified_at"""

INSERT_CONFIG = f"""
INSERT INTO feedback_configs (id, workspace_id, feedback_key, feedback_config, is_lower_score_better, is_enforced)
VALUES (%(id)s, %(workspace_id)s, %(feedback_key)s, %(feedback_config)s, %(is_lower_score_better)s, %(is_enforced)s)
ON CONFLICT (workspace_id, feedback_key) WHERE NOT is_deleted DO NOTHING
RETURNING {COLUMNS}
"""

SELECT_LIVE = f"""
SELECT {COLUMNS} FROM feedback_configs
WHERE workspace_id = %(workspace_id)s AND feedback_key = %(feedback_key)s AND NOT is_deleted
"""

# A config named by id must still belong to the key the caller names.
SELECT_FOR_UPDATE = f"""
SELECT {COLUMNS} FROM feedback_configs
WHERE workspace_id = %(workspace_id)s AND feedback_key = %(feedback_key)s AND NOT is_deleted
  AND (%(id)s::uuid IS NULL OR id = %(id)s::uuid)
FOR UPDATE
"""

# Optional filters as `(param IS NULL OR ...)` so the statement stays one constant.
LIST_CONFIGS = f"""
SELECT {COLUMNS} FROM feedback_configs
WHERE workspace_id = %(workspace_id)s
  AND (%(include_all)s OR NOT is_deleted)
  AND (%(keys)s::text[] IS NULL OR feedback_key = ANY(%(keys)s::text[]))
  AND (%(name_contains)s::text IS NULL OR strpos(lower(feedback_key), lower(%(name_contains)s::text)) > 0)
  AND (%(is_enforced)s::boolean IS NULL OR is_enforced = %(is_enforced)s::boolean)
ORDER BY feedback_key, created_at, id
LIMIT %(limit)s OFFSET %(offset)s
"""

UPDATE_CONFIG = f"""
UPDATE feedback_configs SET feedback_config = %(feedback_config)s, modified_at = clock_timestamp()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING {COLUMNS}
"""

# The direction belongs to the key: every config of it (deleted ones too) follows.
UPDATE_DIRECTION = """
UPDATE feedback_configs SET is_lower_score_better = %(is_lower_score_better)s, modified_at = clock_timestamp()
WHERE workspace_id = %(workspace_id)s AND feedback_key = %(feedback_key)s
"""

SELECT_KEY_DIRECTION = """
SELECT is_lower_score_better FROM feedback_configs
WHERE workspace_id = %(workspace_id)s AND feedback_key = %(feedback_key)s
ORDER BY modified_at DESC LIMIT 1
"""

DELETE_CONFIGS = """
UPDATE feedback_configs SET is_deleted = true, modified_at = clock_timestamp()
WHERE workspace_id = %(workspace_id)s AND NOT is_deleted
  AND (%(feedback_key)s::text IS NULL OR feedback_key = %(feedback_key)s::text)
  AND (%(id)s::uuid IS NULL OR id = %(id)s::uuid)
"""
