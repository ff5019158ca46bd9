"""SQL for annotation queues (Postgres). Queues are looked up by (workspace_id, id); items are
reached only through a queue id that such a workspace-scoped lookup returned."""

# --- queues ----------------------------------------------------------------------------------

# Item counts are computed per read: a counter kept in the queue row could drift from its items.
QUEUE_VIEW = """
SELECT q.id, q.workspace_id, q.name, q.description, q.rubric_instructions, q.rubric_items,
       q.created_at, q.updated_at,
       (SELECT count(*) FROM annotation_queue_items i WHERE i.queue_id = q.id) AS total_runs,
       (SELECT count(*) FROM annotation_queue_items i WHERE i.queue_id = q.id AND i.status = 'completed')
           AS completed_runs
FROM annotation_queues q
"""

SELECT_QUEUE = QUEUE_VIEW + "WHERE q.workspace_id = %(workspace_id)s AND q.id = %(id)s"

SELECT_QUEUE_ID = "SELECT id FROM annotation_queues WHERE workspace_id = %(workspace_id)s AND id = %(id)s"

# Idempotent on the client's id: a retried create changes nothing. The caller tells "already
# mine" from "taken by another workspace" by reading the queue back within its workspace.
INSERT_QUEUE = """
INSERT INTO annotation_queues (id, workspace_id, name, description, rubric_instructions, rubric_items)
VALUES (%(id)s, %(workspace_id)s, %(name)s, %(description)s, %(rubric_instructions)s, %(rubric_items)s)
ON CONFLICT (id) DO NOTHING
"""

# Null means "unchanged": the SDK sends only the fields it changes.
UPDATE_QUEUE = """
UPDATE annotation_queues SET
    name = coalesce(%(name)s, name),
    description = coalesce(%(description)s, description),
    rubric_instructions = coalesce(%(rubric_instructions)s, rubric_instructions),
    rubric_items = coalesce(%(rubric_items)s, rubric_items),
    updated_at = now()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING id
"""

DELETE_QUEUE = "DELETE FROM annotation_queues WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id"

# Optional filters are written as `(param IS NULL OR ...)` so the statement stays one constant.
LIST_QUEUES = (
    QUEUE_VIEW
    + """
WHERE q.workspace_id = %(workspace_id)s
  AND (%(ids)s::uuid[] IS NULL OR q.id = ANY(%(ids)s))
  AND (%(name)s::text IS NULL OR q.name = %(name)s)
  AND (%(name_contains)s::text IS NULL OR strpos(lower(q.name), lower(%(name_contains)s)) > 0)
ORDER BY q.created_at DESC, q.id
LIMIT %(limit)s OFFSET %(offset)s
"""
)

# --- items -----------------------------------------------------------------------------------

# Adding a run twice keeps its first place and review state.
INSERT_ITEM = """
INSERT INTO annotation_queue_items (id, queue_id, run_id)
VALUES (%(id)s, %(queue_id)s, %(run_id)s)
ON CONFLICT (queue_id, run_id) DO NOTHING
"""

ITEM_COLUMNS = "SELECT id, run_id, added_at, last_reviewed_time, status FROM annotation_queue_items "

# `status` null: every item. Queue order is the order items were added.
LIST_ITEMS = (
    ITEM_COLUMNS
    + """
WHERE queue_id = %(queue_id)s AND (%(status)s::text IS NULL OR status = %(status)s)
ORDER BY added_at, seq
LIMIT %(limit)s OFFSET %(offset)s
"""
)

SELECT_ITEMS_OF_RUNS = (
    ITEM_COLUMNS + "WHERE queue_id = %(queue_id)s AND run_id = ANY(%(run_ids)s) ORDER BY added_at, seq"
)

SELECT_ITEM = ITEM_COLUMNS + "WHERE queue_id = %(queue_id)s AND id = %(id)s"

COUNT_ITEMS = """
SELECT count(*) AS size FROM annotation_queue_items
WHERE queue_id = %(queue_id)s AND (%(status)s::text IS NULL OR status = %(status)s)
"""

# An item is named by its own id (LangSmith's queue_run_id) or by its run's id. A null status keeps
# the review state; a null added_at keeps the item's place.
UPDATE_ITEM = """
UPDATE annotation_queue_items SET
    status = coalesce(%(status)s, status),
    last_reviewed_time = CASE WHEN %(status)s::text IS NULL THEN last_reviewed_time
                              ELSE %(last_reviewed_time)s END,
    added_at = coalesce(%(added_at)s, added_at)
WHERE queue_id = %(queue_id)s AND (id = %(item)s OR run_id = %(item)s)
RETURNING id
"""

DELETE_ITEM = """
DELETE FROM annotation_queue_items
WHERE queue_id = %(queue_id)s AND (id = %(item)s OR run_id = %(item)s)
RETURNING id
"""

DELETE_ITEMS = """
DELETE FROM annotation_queue_items
WHERE queue_id = %(queue_id)s
  AND (%(run_ids)s::uuid[] IS NULL OR run_id = ANY(%(run_ids)s))
  AND (%(exclude)s::uuid[] IS NULL OR run_id <> ALL(%(exclude)s))
"""

# The queues holding a run, for "which queues is this run in".
LIST_QUEUES_OF_RUN = (
    QUEUE_VIEW
    + """
WHERE q.workspace_id = %(workspace_id)s
  AND EXISTS (SELECT 1 FROM annotation_queue_items i WHERE i.queue_id = q.id AND i.run_id = %(run_id)s)
ORDER BY q.created_at DESC, q.id
"""
)
