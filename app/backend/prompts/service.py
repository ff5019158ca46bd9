"""Finding a caller's repo, and a commit in it, from what the SDK puts in a path or a body (the
prompt handlers, and the playground through the seam)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.backend.prompts import queries as q
from app.core.auth import Principal
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

# Owner "-" means "the caller's workspace" (wire §7). Workspaces have no hub handle (settings
# answer tenant_handle null), so no other owner names anything the caller can reach.
MY_WORKSPACE = "-"
HEX_PREFIX = re.compile(r"[0-9a-f]{6,64}")


def liker(principal: Principal) -> uuid.UUID | None:
    """Who a like belongs to: the logged-in user, else the API key."""
    return principal.user_id or principal.key_id


async def find_repo_id(postgres: Postgres, workspace_id: uuid.UUID, handle: str) -> uuid.UUID | None:
    """The id of the workspace's repo with this handle, or None."""
    row = await postgres.fetch_one(q.SELECT_REPO_ID, {"workspace_id": workspace_id, "handle": handle})
    return row["id"] if row else None


async def own_repo_id(postgres: Postgres, principal: Principal, owner: str, repo: str) -> uuid.UUID:
    if owner != MY_WORKSPACE:
        raise NotFound(f"prompt {owner}/{repo} not found")
    found = await find_repo_id(postgres, principal.workspace_id, repo)
    if found is None:
        raise NotFound(f"prompt {repo!r} not found")
    return found


async def _by_hash(postgres: Postgres, repo_id: uuid.UUID, ref: str) -> dict[str, Any] | None:
    row = await postgres.fetch_one(q.SELECT_COMMIT_BY_HASH, {"repo_id": repo_id, "commit_hash": ref})
    if row is not None or not HEX_PREFIX.fullmatch(ref):
        return row
    rows = await postgres.fetch_all(q.SELECT_COMMITS_BY_PREFIX, {"repo_id": repo_id, "prefix": ref})
    if len(rows) > 1:
        raise BadRequest(f"commit prefix {ref!r} is ambiguous; give more characters of the hash")
    return rows[0] if rows else None


async def resolve_commit(postgres: Postgres, repo_id: uuid.UUID, ref: str) -> dict[str, Any]:
    """`latest`, a full hash, a tag name, or a unique hash prefix of at least 6 characters.
    A full hash wins over a tag of the same name, and a tag over a hash prefix."""
    if ref == "latest":
        row = await postgres.fetch_one(q.SELECT_LATEST_COMMIT, {"repo_id": repo_id})
        if row is None:
            raise NotFound("this prompt has no commits yet")
        return row
    row = await postgres.fetch_one(q.SELECT_COMMIT_BY_HASH, {"repo_id": repo_id, "commit_hash": ref})
    if row is None:
        row = await postgres.fetch_one(q.SELECT_COMMIT_BY_TAG, {"repo_id": repo_id, "tag_name": ref})
    if row is None:
        row = await _by_hash(postgres, repo_id, ref)
    if row is None:
        raise NotFound(f"no commit or tag {ref!r} in this prompt")
    return row


async def resolve_commit_id(postgres: Postgres, repo_id: uuid.UUID, commit: str) -> uuid.UUID:
    """A tag's target: the commit's id (what the SDK sends), or its hash (or a unique prefix)."""
    row = None
    try:
        commit_id = uuid.UUID(commit)
    except ValueError:
        pass
    else:
        row = await postgres.fetch_one(q.SELECT_COMMIT_BY_ID, {"repo_id": repo_id, "id": commit_id})
    if row is None:
        row = await _by_hash(postgres, repo_id, commit)
    if row is None:
        raise NotFound(f"commit {commit!r} not found in this prompt")
    return row["id"]
