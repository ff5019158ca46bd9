"""Commits of a prompt (wire §7): list, push a new manifest, pull one by hash, tag or `latest`.

History is linear: a push names the commit it builds on (`parent_commit`), and only the latest
commit may be built on. Manifests are stored exactly as sent.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

import msgspec
import psycopg
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.prompts import queries as q
from app.backend.prompts.manifests import with_model, without_model
from app.backend.prompts.schemas import Commit, CommitCreate, PulledCommit, commit_from_row
from app.backend.prompts.service import own_repo_id, readable_repo, resolve_commit
from app.core.auth import Principal
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres

COMMITS_PATH = "/api/v1/commits/{owner:str}/{repo:str}"
SHORT_HASH = 8  # what LangSmith shows; longer only when a prefix is already taken in the repo


def commit_hash(parent_hash: str | None, manifest: dict[str, Any], length: int) -> str:
    """Derived from the parent and the canonical manifest, like git: equal histories, equal hashes."""
    canonical = msgspec.json.encode(manifest, order="sorted")
    return hashlib.sha256((parent_hash or "").encode() + b"\n" + canonical).hexdigest()[:length]


async def unused_hash(
    conn: psycopg.AsyncConnection[dict[str, Any]], repo_id: uuid.UUID, parent_hash: str | None, manifest: dict[str, Any]
) -> str:
    """The shortest hash from 8 hex digits up that no other commit of the repo uses."""
    for length in range(SHORT_HASH, 65, 4):
        candidate = commit_hash(parent_hash, manifest, length)
        if not await (await conn.execute(q.HASH_TAKEN, {"repo_id": repo_id, "commit_hash": candidate})).fetchone():
            return candidate
    return uuid.uuid4().hex  # unreachable in a linear history; never loop forever


def is_parent(ref: str, latest_hash: str) -> bool:
    return ref == latest_hash or (len(ref) >= 6 and latest_hash.startswith(ref))


@get(COMMITS_PATH)
async def list_commits(
    *,
    owner: FromPath[str],
    repo: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
    include_model: FromQuery[bool] = False,  # accepted for the SDK; listed commits carry no manifest
) -> dict[str, Any]:
    repo_id = (await readable_repo(postgres, principal, owner, repo, repo_type="prompt")).id
    rows = await postgres.fetch_all(q.LIST_COMMITS, {"repo_id": repo_id, "limit": limit, "offset": offset})
    total = await postgres.fetch_one(q.COUNT_COMMITS, {"repo_id": repo_id})
    # A repo without commits is an empty list, not a 404: push_prompt asks right after creating it.
    return {"commits": [commit_from_row(r) for r in rows], "total": total["total"]}


@post(COMMITS_PATH, status_code=200)
async def create_commit(
    owner: FromPath[str],
    repo: FromPath[str],
    data: JSONBody[CommitCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, Commit]:
    repo_id = await own_repo_id(postgres, principal, owner, repo, repo_type="prompt")
    async with postgres.transaction() as conn:
        if await (await conn.execute(q.LOCK_REPO, {"repo_id": repo_id})).fetchone() is None:
            raise NotFound(f"prompt {repo!r} not found")  # deleted since the lookup
        latest = await (await conn.execute(q.SELECT_LATEST_COMMIT, {"repo_id": repo_id})).fetchone()
        parent = data.parent_commit
        if latest is not None and latest["manifest"] == data.manifest:
            # Nothing changed: LangSmith answers 409 "nothing to commit", which makes push_prompt
            # raise. Answering with the latest commit keeps re-pushing the same prompt working,
            # and makes a retried push (its parent is now the latest's parent) idempotent.
            if parent is None or parent == latest["parent_hash"] or is_parent(parent, latest["commit_hash"]):
                return {"commit": commit_from_row(latest)}
        if parent is not None and (latest is None or not is_parent(parent, latest["commit_hash"])):
            current = latest["commit_hash"] if latest else "none: the prompt has no commits yet"
            raise Conflict(
                f"parent commit {parent!r} is not the latest commit (latest: {current}); "
                "pull the latest version and push again"
            )
        parent_hash = latest["commit_hash"] if latest else None
        params = {
            "id": uuid.uuid4(),
            "repo_id": repo_id,
            "commit_hash": await unused_hash(conn, repo_id, parent_hash, data.manifest),
            "parent_id": latest["id"] if latest else None,
            "parent_hash": parent_hash,
            "manifest": Jsonb(data.manifest),
            "description": data.description,
        }
        row = await (await conn.execute(q.INSERT_COMMIT, params)).fetchone()
        await conn.execute(q.TOUCH_REPO, {"repo_id": repo_id})
    assert row is not None  # INSERT … RETURNING always returns the row
    return {"commit": commit_from_row(row)}


@get(COMMITS_PATH + "/{commit:str}")
async def pull_commit(
    *,
    owner: FromPath[str],
    repo: FromPath[str],
    commit: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    include_model: FromQuery[bool] = False,
    # Not LangSmith's: the web UI reads commits to show them, which is not a download.
    count_download: FromQuery[bool] = True,
) -> PulledCommit:
    repo_id = (await readable_repo(postgres, principal, owner, repo, repo_type="prompt")).id
    row = await resolve_commit(postgres, repo_id, commit)
    if count_download:
        await postgres.execute(q.COUNT_DOWNLOAD, {"repo_id": repo_id, "commit_id": row["id"]})
    manifest = with_model(row["manifest"]) if include_model else without_model(row["manifest"])
    return PulledCommit(
        id=row["id"], commit_hash=row["commit_hash"], manifest=manifest, examples=[], description=row["description"]
    )


ROUTES = [list_commits, create_commit, pull_commit]
