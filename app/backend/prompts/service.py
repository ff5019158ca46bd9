"""Finding a caller's repo, and a commit in it, from what the SDK puts in a path or a body (the
prompt handlers, and the playground through the seam)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from app.backend.prompts import queries as q
from app.core.auth import Principal
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.postgres import Postgres

# Owner "-" means "the caller's workspace" (wire §7); any other owner is a workspace's tenant
# handle (the caller's own included). Another workspace's repos are reachable only when public,
# and only to read.
MY_WORKSPACE = "-"
HEX_PREFIX = re.compile(r"[0-9a-f]{6,64}")


@dataclass(frozen=True)
class RepoRef:
    id: uuid.UUID
    workspace_id: uuid.UUID
    repo_type: str
    is_public: bool


def liker(principal: Principal) -> uuid.UUID | None:
    """Who a like belongs to: the logged-in user, else the API key."""
    return principal.user_id or principal.key_id


async def find_repo_id(postgres: Postgres, workspace_id: uuid.UUID, handle: str) -> uuid.UUID | None:
    """The id of the workspace's repo with this handle, or None."""
    row = await postgres.fetch_one(q.SELECT_REPO_ID, {"workspace_id": workspace_id, "handle": handle})
    return row["id"] if row else None


async def owner_workspace(postgres: Postgres, principal: Principal, owner: str) -> uuid.UUID | None:
    """The workspace an owner in a path names, or None when no workspace has that handle."""
    if owner == MY_WORKSPACE:
        return principal.workspace_id
    row = await postgres.fetch_one(q.SELECT_WORKSPACE_BY_HANDLE, {"tenant_handle": owner})
    return row["id"] if row else None


async def _find_ref(postgres: Postgres, principal: Principal, owner: str, repo: str) -> RepoRef | None:
    workspace_id = await owner_workspace(postgres, principal, owner)
    if workspace_id is None:
        return None
    row = await postgres.fetch_one(q.SELECT_REPO_REF, {"workspace_id": workspace_id, "handle": repo})
    return RepoRef(**row) if row else None


def _name(owner: str, repo: str) -> str:
    return repo if owner == MY_WORKSPACE else f"{owner}/{repo}"


async def readable_repo(
    postgres: Postgres, principal: Principal, owner: str, repo: str, *, repo_type: str | None = None
) -> RepoRef:
    """A repo the caller may read: its own workspace's, or a public one of another workspace.
    A private repo of another workspace is 404, exactly like one that does not exist."""
    ref = await _find_ref(postgres, principal, owner, repo)
    if ref is None or (ref.workspace_id != principal.workspace_id and not ref.is_public):
        raise NotFound(f"prompt {_name(owner, repo)!r} not found")
    if repo_type is not None and ref.repo_type != repo_type:
        raise NotFound(f"{_name(owner, repo)!r} is a {ref.repo_type} repo, not a {repo_type}")
    return ref


async def own_repo(
    postgres: Postgres, principal: Principal, owner: str, repo: str, *, repo_type: str | None = None
) -> RepoRef:
    """A repo of the caller's own workspace, to change. Another workspace's public repo is
    403 (the caller can see it), its private one 404."""
    ref = await readable_repo(postgres, principal, owner, repo, repo_type=repo_type)
    if ref.workspace_id != principal.workspace_id:
        raise Forbidden(f"{_name(owner, repo)!r} belongs to another workspace; it can be read, not changed")
    return ref


async def own_repo_id(
    postgres: Postgres, principal: Principal, owner: str, repo: str, *, repo_type: str | None = None
) -> uuid.UUID:
    return (await own_repo(postgres, principal, owner, repo, repo_type=repo_type)).id


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
