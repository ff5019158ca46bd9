"""Hub repos (wire §7): /settings (and the workspace's handle), /repos and /likes. Repos are
prompts, agents or skills; the caller's own, plus other workspaces' public ones to read."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

import psycopg
from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from app.backend.prompts import queries as q
from app.backend.prompts.schemas import (
    HandleBody,
    LikeBody,
    Prompt,
    RepoCreate,
    RepoType,
    RepoUpdate,
    Settings,
    prompt_from_row,
)
from app.backend.prompts.service import liker, own_repo, readable_repo
from app.core.auth import Principal
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres

REPO_PATH = "/api/v1/repos/{owner:str}/{repo:str}"


class SortField(StrEnum):
    updated_at = "updated_at"
    created_at = "created_at"
    num_likes = "num_likes"
    num_downloads = "num_downloads"
    num_views = "num_views"


class SortDirection(StrEnum):
    asc = "asc"
    desc = "desc"


async def load_prompt(postgres: Postgres, principal: Principal, workspace_id: uuid.UUID, handle: str) -> Prompt:
    params = {"workspace_id": workspace_id, "handle": handle, "liker": liker(principal)}
    row = await postgres.fetch_one(q.SELECT_REPO, params)
    if row is None:
        raise NotFound(f"prompt {handle!r} not found")
    return prompt_from_row(row)


def _settings(row: dict[str, Any]) -> Settings:
    return Settings(
        id=row["id"], display_name=row["name"], created_at=row["created_at"], tenant_handle=row["tenant_handle"]
    )


@get("/api/v1/settings")
async def read_settings(principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]) -> Settings:
    row = await postgres.fetch_one(q.SELECT_SETTINGS, {"workspace_id": principal.workspace_id})
    if row is None:
        raise NotFound("workspace not found")
    return _settings(row)


# Renaming moves every `old-handle/name` reference; only an admin may do that.
@post("/api/v1/settings/handle", status_code=200, opt={"role": "admin"})
async def set_tenant_handle(
    data: JSONBody[HandleBody], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> Settings:
    params = {"workspace_id": principal.workspace_id, "tenant_handle": data.tenant_handle}
    try:
        row = await postgres.fetch_one(q.SET_TENANT_HANDLE, params)
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"the handle {data.tenant_handle!r} is taken by another workspace") from None
    if row is None:
        raise NotFound("workspace not found")
    return _settings(row)


@post("/api/v1/repos", status_code=200)
async def create_repo(
    data: JSONBody[RepoCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, Prompt]:
    params = {
        "id": uuid.uuid4(),
        "workspace_id": principal.workspace_id,
        "handle": data.repo_handle,
        "repo_type": data.repo_type,
        "description": data.description or "",
        "readme": data.readme or "",
        "tags": data.tags or [],
        "is_public": data.is_public,
    }
    if await postgres.fetch_one(q.INSERT_REPO, params) is None:
        raise Conflict(f"a repo named {data.repo_handle!r} already exists")
    return {"repo": await load_prompt(postgres, principal, principal.workspace_id, data.repo_handle)}


@get("/api/v1/repos")
async def list_repos(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
    is_public: Annotated[bool | None, QueryParameter()] = None,
    is_archived: Annotated[bool | None, QueryParameter()] = None,
    sort_field: Annotated[SortField, QueryParameter()] = SortField.updated_at,
    sort_direction: Annotated[SortDirection, QueryParameter()] = SortDirection.desc,
    # `query` is a name Litestar reserves for the whole query string.
    search: Annotated[str | None, QueryParameter(name="query")] = None,
    match_prefix: Annotated[bool, QueryParameter()] = False,
    tags: Annotated[list[str] | None, QueryParameter()] = None,
    # The SDK's list_prompts sends no type: prompts; list_agents and list_skills send theirs.
    repo_type: Annotated[RepoType, QueryParameter()] = "prompt",
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "workspace_id": principal.workspace_id,
        "liker": liker(principal),
        "is_public": is_public,
        "is_archived": is_archived,
        "tags": tags or None,
        "query": search or None,
        "match_prefix": match_prefix,
        "repo_type": repo_type,
        "sort_field": sort_field.value,
        "descending": sort_direction is SortDirection.desc,
        "limit": limit,
        "offset": offset,
    }
    rows = await postgres.fetch_all(q.LIST_REPOS, params)
    total = await postgres.fetch_one(q.COUNT_REPOS, params)
    return {"repos": [prompt_from_row(r) for r in rows], "total": total["total"]}


@get(REPO_PATH)
async def read_repo(
    owner: FromPath[str],
    repo: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, Prompt]:
    ref = await readable_repo(postgres, principal, owner, repo)
    return {"repo": await load_prompt(postgres, principal, ref.workspace_id, repo)}


@patch(REPO_PATH)
async def update_repo(
    owner: FromPath[str],
    repo: FromPath[str],
    data: JSONBody[RepoUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, Prompt]:
    await own_repo(postgres, principal, owner, repo)
    params = {
        "workspace_id": principal.workspace_id,
        "handle": repo,
        "description": data.description,
        "readme": data.readme,
        "tags": data.tags,
        "is_public": data.is_public,
        "is_archived": data.is_archived,
    }
    if await postgres.fetch_one(q.UPDATE_REPO, params) is None:
        raise NotFound(f"prompt {repo!r} not found")
    return {"repo": await load_prompt(postgres, principal, principal.workspace_id, repo)}


@delete(REPO_PATH, status_code=204)
async def delete_repo(
    owner: FromPath[str],
    repo: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> None:
    await own_repo(postgres, principal, owner, repo)
    if await postgres.fetch_one(q.DELETE_REPO, {"workspace_id": principal.workspace_id, "handle": repo}) is None:
        raise NotFound(f"prompt {repo!r} not found")


@post("/api/v1/likes/{owner:str}/{repo:str}", status_code=200)
async def like_repo(
    owner: FromPath[str],
    repo: FromPath[str],
    data: JSONBody[LikeBody],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> dict[str, int]:
    # Liking is the caller's own act, so another workspace's public prompt can be liked.
    repo_id = (await readable_repo(postgres, principal, owner, repo)).id
    params = {"repo_id": repo_id, "liker": liker(principal)}
    await postgres.execute(q.INSERT_LIKE if data.like else q.DELETE_LIKE, params)
    return {"likes": (await postgres.fetch_one(q.COUNT_LIKES, params))["likes"]}


ROUTES = [read_settings, set_tenant_handle, create_repo, list_repos, read_repo, update_repo, delete_repo, like_repo]
