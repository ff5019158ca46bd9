"""Agent and skill repos (wire §7): versioned file trees under /platform/hub/repos/…/directories.

A repo is created through POST /repos with its `repo_type`, then changed by commits that name
the files they change (null deletes one). Each commit stores the whole file map of its version
in the commit table the prompts use (`{"files": {...}}`), so history, hashes, tags-free pulls by
hash prefix and the parent check work as for prompts.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.prompts import queries as q
from app.backend.prompts.commits import is_parent, unused_hash
from app.backend.prompts.schemas import Commit, Directory, DirectoryCommitCreate, RepoType, commit_from_row
from app.backend.prompts.service import own_repo, readable_repo, resolve_commit
from app.core.auth import Principal
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.postgres import Postgres

DIRECTORY_PATH = "/api/v1/platform/hub/repos/{owner:str}/{repo:str}/directories"


def _files(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    files = manifest.get("files")
    return files if isinstance(files, dict) else {}


@get(DIRECTORY_PATH)
async def pull_directory(
    *,
    owner: FromPath[str],
    repo: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    repo_type: Annotated[RepoType | None, QueryParameter()] = None,
    commit: Annotated[str | None, QueryParameter()] = None,
) -> Directory:
    ref = await readable_repo(postgres, principal, owner, repo, repo_type=repo_type)
    if ref.repo_type == "prompt":
        raise NotFound(f"{repo!r} is a prompt; pull it from /commits")
    row = await resolve_commit(postgres, ref.id, commit or "latest")
    await postgres.execute(q.COUNT_DOWNLOAD, {"repo_id": ref.id, "commit_id": row["id"]})
    return Directory(commit_id=row["id"], commit_hash=row["commit_hash"], files=_files(row["manifest"]))


@post(DIRECTORY_PATH + "/commits", status_code=200)
async def commit_directory(
    owner: FromPath[str],
    repo: FromPath[str],
    data: JSONBody[DirectoryCommitCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, Commit]:
    ref = await own_repo(postgres, principal, owner, repo)
    if ref.repo_type == "prompt":
        raise BadRequest(f"{repo!r} is a prompt; push a manifest to /commits instead")
    async with postgres.transaction() as conn:
        if await (await conn.execute(q.LOCK_REPO, {"repo_id": ref.id})).fetchone() is None:
            raise NotFound(f"{ref.repo_type} {repo!r} not found")  # deleted since the lookup
        latest = await (await conn.execute(q.SELECT_LATEST_COMMIT, {"repo_id": ref.id})).fetchone()
        parent = data.parent_commit
        if parent is not None and (latest is None or not is_parent(parent, latest["commit_hash"])):
            current = latest["commit_hash"] if latest else "none: the repo has no commits yet"
            raise Conflict(
                f"parent commit {parent!r} is not the latest commit (latest: {current}); "
                "pull the latest version and push again"
            )
        files = dict(_files(latest["manifest"])) if latest else {}
        for path, entry in data.files.items():
            if entry is None:
                files.pop(path, None)  # deleting a missing file changes nothing: retries are safe
            else:
                files[path] = msgspec.to_builtins(entry)
        manifest = {"files": dict(sorted(files.items()))}
        if latest is not None and latest["manifest"] == manifest:
            # Nothing changed (a repeated push, or a retry of one that landed): the latest commit.
            return {"commit": commit_from_row(latest)}
        if latest is None and not files:
            raise BadRequest("the first commit of a repo needs at least one file")
        parent_hash = latest["commit_hash"] if latest else None
        params = {
            "id": uuid.uuid4(),
            "repo_id": ref.id,
            "commit_hash": await unused_hash(conn, ref.id, parent_hash, manifest),
            "parent_id": latest["id"] if latest else None,
            "parent_hash": parent_hash,
            "manifest": Jsonb(manifest),
            "description": None,
        }
        row = await (await conn.execute(q.INSERT_COMMIT, params)).fetchone()
        await conn.execute(q.TOUCH_REPO, {"repo_id": ref.id})
    assert row is not None  # INSERT … RETURNING always returns the row
    return {"commit": commit_from_row(row)}


@delete(DIRECTORY_PATH, status_code=204)
async def delete_directory(
    owner: FromPath[str],
    repo: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> None:
    ref = await own_repo(postgres, principal, owner, repo)
    if ref.repo_type == "prompt":
        raise BadRequest(f"{repo!r} is a prompt; delete it with DELETE /repos/-/{repo}")
    if await postgres.fetch_one(q.DELETE_REPO, {"workspace_id": principal.workspace_id, "handle": repo}) is None:
        raise NotFound(f"{ref.repo_type} {repo!r} not found")


ROUTES = [pull_directory, commit_directory, delete_directory]
