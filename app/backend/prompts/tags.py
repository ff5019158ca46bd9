"""Commit tags of a prompt (wire §7): a tag names one commit and can be moved; `name:tag` pulls
the commit it names. The SDK creates them with `push_prompt(..., commit_tags=[...])`."""

from __future__ import annotations

import uuid

from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.backend.prompts import queries as q
from app.backend.prompts.schemas import Tag, TagCreate, TagUpdate, tag_from_row
from app.backend.prompts.service import own_repo_id, readable_repo, resolve_commit_id
from app.core.auth import Principal
from app.core.errors import NotFound
from app.core.postgres import Postgres

TAGS_PATH = "/api/v1/repos/{owner:str}/{repo:str}/tags"
TAG_PATH = TAGS_PATH + "/{tag_name:str}"


async def _load_tag(postgres: Postgres, repo_id: uuid.UUID, tag_name: str) -> Tag:
    row = await postgres.fetch_one(q.SELECT_TAG, {"repo_id": repo_id, "tag_name": tag_name})
    if row is None:
        raise NotFound(f"tag {tag_name!r} not found")
    return tag_from_row(row)


@post(TAGS_PATH, status_code=200)
async def create_tag(
    owner: FromPath[str],
    repo: FromPath[str],
    data: JSONBody[TagCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Tag:
    repo_id = await own_repo_id(postgres, principal, owner, repo, repo_type="prompt")
    commit_id = await resolve_commit_id(postgres, repo_id, data.commit_id)
    params = {"id": uuid.uuid4(), "repo_id": repo_id, "tag_name": data.tag_name, "commit_id": commit_id}
    await postgres.execute(q.UPSERT_TAG, params)
    return await _load_tag(postgres, repo_id, data.tag_name)


@get(TAGS_PATH)
async def list_tags(
    owner: FromPath[str],
    repo: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> list[Tag]:
    repo_id = (await readable_repo(postgres, principal, owner, repo, repo_type="prompt")).id
    return [tag_from_row(r) for r in await postgres.fetch_all(q.LIST_TAGS, {"repo_id": repo_id})]


@get(TAG_PATH)
async def read_tag(
    owner: FromPath[str],
    repo: FromPath[str],
    tag_name: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Tag:
    repo_id = (await readable_repo(postgres, principal, owner, repo, repo_type="prompt")).id
    return await _load_tag(postgres, repo_id, tag_name)


@patch(TAG_PATH)
async def move_tag(
    *,
    owner: FromPath[str],
    repo: FromPath[str],
    tag_name: FromPath[str],
    data: JSONBody[TagUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Tag:
    repo_id = await own_repo_id(postgres, principal, owner, repo, repo_type="prompt")
    await _load_tag(postgres, repo_id, tag_name)  # an unknown tag is 404 before the commit is looked at
    commit_id = await resolve_commit_id(postgres, repo_id, data.commit_id)
    params = {"repo_id": repo_id, "tag_name": tag_name, "commit_id": commit_id}
    if await postgres.fetch_one(q.MOVE_TAG, params) is None:
        raise NotFound(f"tag {tag_name!r} not found")
    return await _load_tag(postgres, repo_id, tag_name)


@delete(TAG_PATH, status_code=204)
async def delete_tag(
    owner: FromPath[str],
    repo: FromPath[str],
    tag_name: FromPath[str],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> None:
    repo_id = await own_repo_id(postgres, principal, owner, repo, repo_type="prompt")
    if await postgres.fetch_one(q.DELETE_TAG, {"repo_id": repo_id, "tag_name": tag_name}) is None:
        raise NotFound(f"tag {tag_name!r} not found")


ROUTES = [create_tag, list_tags, read_tag, move_tag, delete_tag]
