"""SQL for the prompt hub (Postgres). Repos are looked up by (workspace_id, handle); commits, tags
and likes are reached only through a repo id that such a workspace-scoped lookup returned."""

# --- repos -----------------------------------------------------------------------------------

# Likes, commit counts and the latest hash are computed per read: a workspace holds few prompts,
# and counters kept in the repo row could drift from the rows they count.
REPO_VIEW = """
SELECT r.id, r.workspace_id, r.handle, r.repo_type, r.description, r.readme, r.tags, r.is_public,
       r.is_archived, r.num_downloads, r.created_at, r.updated_at, w.tenant_handle AS owner,
       (SELECT count(*) FROM prompt_likes l WHERE l.repo_id = r.id) AS num_likes,
       (SELECT count(*) FROM prompt_commits c WHERE c.repo_id = r.id) AS num_commits,
       (SELECT c.commit_hash FROM prompt_commits c WHERE c.repo_id = r.id ORDER BY c.seq DESC LIMIT 1)
           AS last_commit_hash,
       (SELECT max(c.created_at) FROM prompt_commits c WHERE c.repo_id = r.id) AS last_commit_at,
       EXISTS (SELECT 1 FROM prompt_likes l WHERE l.repo_id = r.id AND l.liker = %(liker)s::uuid)
           AS liked_by_auth_user
FROM prompt_repos r JOIN workspaces w ON w.id = r.workspace_id
"""

SELECT_REPO = REPO_VIEW + "WHERE r.workspace_id = %(workspace_id)s AND r.handle = %(handle)s"

SELECT_REPO_ID = "SELECT id FROM prompt_repos WHERE workspace_id = %(workspace_id)s AND handle = %(handle)s"

SELECT_REPO_REF = """
SELECT id, workspace_id, repo_type, is_public FROM prompt_repos
WHERE workspace_id = %(workspace_id)s AND handle = %(handle)s
"""

INSERT_REPO = """
INSERT INTO prompt_repos (id, workspace_id, handle, repo_type, description, readme, tags, is_public)
VALUES (%(id)s, %(workspace_id)s, %(handle)s, %(repo_type)s, %(description)s, %(readme)s, %(tags)s, %(is_public)s)
ON CONFLICT (workspace_id, handle) DO NOTHING
RETURNING id
"""

# Null means "unchanged": the SDK sends only the fields it changes.
UPDATE_REPO = """
UPDATE prompt_repos SET
    description = coalesce(%(description)s, description),
    readme = coalesce(%(readme)s, readme),
    tags = coalesce(%(tags)s, tags),
    is_public = coalesce(%(is_public)s, is_public),
    is_archived = coalesce(%(is_archived)s, is_archived),
    updated_at = now()
WHERE workspace_id = %(workspace_id)s AND handle = %(handle)s
RETURNING id
"""

DELETE_REPO = "DELETE FROM prompt_repos WHERE workspace_id = %(workspace_id)s AND handle = %(handle)s RETURNING id"

# Optional filters are written as `(param IS NULL OR ...)` so the statement stays one constant.
# With match_prefix (the SDK sets it whenever it sends a query) the query is a handle prefix;
# without, a case-insensitive substring of the handle or the description. Asking for public
# repos lists every workspace's public repos (the hub); otherwise only the caller's own.
REPO_FILTER = """
WHERE (r.workspace_id = %(workspace_id)s OR (%(is_public)s::bool IS TRUE AND r.is_public))
  AND r.repo_type = %(repo_type)s
  AND (%(is_public)s::bool IS NULL OR r.is_public = %(is_public)s)
  AND (%(is_archived)s::bool IS NULL OR r.is_archived = %(is_archived)s)
  AND (%(tags)s::text[] IS NULL OR r.tags @> %(tags)s)
  AND (%(query)s::text IS NULL
       OR (%(match_prefix)s AND starts_with(r.handle, lower(%(query)s)))
       OR (NOT %(match_prefix)s AND (strpos(r.handle, lower(%(query)s)) > 0
                                     OR strpos(lower(r.description), lower(%(query)s)) > 0)))
"""

# The sort field is a parameter compared in CASE, never text spliced into the statement.
# Every key is numeric so one expression serves all fields; views are never counted (always 0).
SORT_KEY = """
CASE %(sort_field)s::text
    WHEN 'num_likes' THEN num_likes::numeric
    WHEN 'num_downloads' THEN num_downloads::numeric
    WHEN 'num_views' THEN 0::numeric
    WHEN 'created_at' THEN extract(epoch FROM created_at)::numeric
    ELSE extract(epoch FROM updated_at)::numeric
END
"""

LIST_REPOS = f"""
SELECT * FROM ({REPO_VIEW} {REPO_FILTER}) r
ORDER BY
    CASE WHEN %(descending)s THEN {SORT_KEY} END DESC,
    CASE WHEN NOT %(descending)s THEN {SORT_KEY} END ASC,
    handle
LIMIT %(limit)s OFFSET %(offset)s
"""

COUNT_REPOS = f"SELECT count(*) AS total FROM prompt_repos r {REPO_FILTER}"

SELECT_SETTINGS = "SELECT id, name, created_at, tenant_handle FROM workspaces WHERE id = %(workspace_id)s"

SELECT_WORKSPACE_BY_HANDLE = "SELECT id FROM workspaces WHERE tenant_handle = %(tenant_handle)s"

# The unique index settles a race between two workspaces taking the same handle.
SET_TENANT_HANDLE = """
UPDATE workspaces SET tenant_handle = %(tenant_handle)s WHERE id = %(workspace_id)s
RETURNING id, name, created_at, tenant_handle
"""

# --- likes ------------------------------------------------------------------------------------

INSERT_LIKE = """
INSERT INTO prompt_likes (repo_id, liker) VALUES (%(repo_id)s, %(liker)s) ON CONFLICT DO NOTHING
"""
DELETE_LIKE = "DELETE FROM prompt_likes WHERE repo_id = %(repo_id)s AND liker = %(liker)s"
COUNT_LIKES = "SELECT count(*) AS likes FROM prompt_likes WHERE repo_id = %(repo_id)s"

# --- commits ----------------------------------------------------------------------------------

COMMIT_COLUMNS = (
    "c.id, c.repo_id, c.commit_hash, c.parent_id, c.parent_hash, c.description, c.num_downloads, c.created_at"
)

# Serialises commits to one repo, so two pushes on the same parent cannot both land.
LOCK_REPO = "SELECT id FROM prompt_repos WHERE id = %(repo_id)s FOR UPDATE"

SELECT_LATEST_COMMIT = f"""
SELECT {COMMIT_COLUMNS}, c.manifest FROM prompt_commits c
WHERE c.repo_id = %(repo_id)s ORDER BY c.seq DESC LIMIT 1
"""

SELECT_COMMIT_BY_HASH = f"""
SELECT {COMMIT_COLUMNS}, c.manifest FROM prompt_commits c
WHERE c.repo_id = %(repo_id)s AND c.commit_hash = %(commit_hash)s
"""

SELECT_COMMIT_BY_ID = f"""
SELECT {COMMIT_COLUMNS}, c.manifest FROM prompt_commits c
WHERE c.repo_id = %(repo_id)s AND c.id = %(id)s
"""

SELECT_COMMIT_BY_TAG = f"""
SELECT {COMMIT_COLUMNS}, c.manifest FROM prompt_tags t JOIN prompt_commits c ON c.id = t.commit_id
WHERE t.repo_id = %(repo_id)s AND t.tag_name = %(tag_name)s
"""

# Two rows at most: enough to tell a unique prefix from an ambiguous one.
SELECT_COMMITS_BY_PREFIX = f"""
SELECT {COMMIT_COLUMNS}, c.manifest FROM prompt_commits c
WHERE c.repo_id = %(repo_id)s AND starts_with(c.commit_hash, %(prefix)s)
LIMIT 2
"""

HASH_TAKEN = "SELECT 1 FROM prompt_commits WHERE repo_id = %(repo_id)s AND commit_hash = %(commit_hash)s"

INSERT_COMMIT = f"""
INSERT INTO prompt_commits AS c (id, repo_id, commit_hash, parent_id, parent_hash, manifest, description)
VALUES (%(id)s, %(repo_id)s, %(commit_hash)s, %(parent_id)s, %(parent_hash)s, %(manifest)s, %(description)s)
RETURNING {COMMIT_COLUMNS}
"""

TOUCH_REPO = "UPDATE prompt_repos SET updated_at = now() WHERE id = %(repo_id)s"

LIST_COMMITS = f"""
SELECT {COMMIT_COLUMNS} FROM prompt_commits c
WHERE c.repo_id = %(repo_id)s
ORDER BY c.seq DESC
LIMIT %(limit)s OFFSET %(offset)s
"""

COUNT_COMMITS = "SELECT count(*) AS total FROM prompt_commits WHERE repo_id = %(repo_id)s"

COUNT_DOWNLOAD = """
WITH commit_counted AS (
    UPDATE prompt_commits SET num_downloads = num_downloads + 1 WHERE id = %(commit_id)s RETURNING id
)
UPDATE prompt_repos SET num_downloads = num_downloads + 1 WHERE id = %(repo_id)s
"""

# --- tags -------------------------------------------------------------------------------------

TAG_VIEW = """
SELECT t.id, t.repo_id, t.tag_name, t.commit_id, c.commit_hash, t.created_at, t.updated_at
FROM prompt_tags t JOIN prompt_commits c ON c.id = t.commit_id
"""

SELECT_TAG = TAG_VIEW + "WHERE t.repo_id = %(repo_id)s AND t.tag_name = %(tag_name)s"

LIST_TAGS = TAG_VIEW + "WHERE t.repo_id = %(repo_id)s ORDER BY t.tag_name"

# Posting an existing tag moves it; posting it again on the same commit changes nothing.
UPSERT_TAG = """
INSERT INTO prompt_tags (id, repo_id, tag_name, commit_id)
VALUES (%(id)s, %(repo_id)s, %(tag_name)s, %(commit_id)s)
ON CONFLICT (repo_id, tag_name) DO UPDATE SET
    commit_id = EXCLUDED.commit_id,
    updated_at = CASE WHEN prompt_tags.commit_id = EXCLUDED.commit_id THEN prompt_tags.updated_at ELSE now() END
"""

MOVE_TAG = """
UPDATE prompt_tags SET commit_id = %(commit_id)s,
    updated_at = CASE WHEN commit_id = %(commit_id)s THEN updated_at ELSE now() END
WHERE repo_id = %(repo_id)s AND tag_name = %(tag_name)s
RETURNING id
"""

DELETE_TAG = "DELETE FROM prompt_tags WHERE repo_id = %(repo_id)s AND tag_name = %(tag_name)s RETURNING id"
