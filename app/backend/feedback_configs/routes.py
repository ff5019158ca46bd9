"""/api/v1/feedback-configs (SDK create/list/update/delete_feedback_config): one live config per
workspace feedback key. Reads are the viewer's, writes the editor's; an enforced config is an
admin's (checked in the service)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.feedback_configs import queries as q
from app.backend.feedback_configs.schemas import (
    FeedbackConfig,
    FeedbackConfigCreate,
    FeedbackConfigUpdate,
    config_from_row,
)
from app.backend.feedback_configs.service import edit_categories, normalize, register
from app.core.auth import Principal
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

PATH = "/api/v1/feedback-configs"


@post(PATH, status_code=200)
async def create_feedback_config(
    data: JSONBody[FeedbackConfigCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> FeedbackConfig:
    row = await register(
        postgres,
        principal,
        data.feedback_key,
        data.feedback_config,
        is_lower_score_better=data.is_lower_score_better,
        is_enforced=data.is_enforced,
    )
    return config_from_row(row)


@get(PATH)
async def list_feedback_configs(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    key: Annotated[list[str] | None, QueryParameter()] = None,
    name_contains: Annotated[str | None, QueryParameter()] = None,
    include_all_configs: Annotated[bool, QueryParameter()] = False,
    is_enforced: Annotated[bool | None, QueryParameter()] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[FeedbackConfig]:
    params = {
        "workspace_id": principal.workspace_id,
        "keys": key or None,
        "name_contains": name_contains or None,
        "include_all": include_all_configs,
        "is_enforced": is_enforced,
        "limit": limit,
        "offset": offset,
    }
    return [config_from_row(r) for r in await postgres.fetch_all(q.LIST_CONFIGS, params)]


@patch(PATH)
async def update_feedback_config(
    data: JSONBody[FeedbackConfigUpdate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> FeedbackConfig:
    scope: dict[str, Any] = {"workspace_id": principal.workspace_id, "feedback_key": data.feedback_key}
    async with postgres.transaction() as conn:
        row = await (await conn.execute(q.SELECT_FOR_UPDATE, {**scope, "id": data.id})).fetchone()
        if row is None:
            raise NotFound(f"no feedback config for key {data.feedback_key!r}")
        config = row["feedback_config"]
        if data.feedback_config is not None:
            config = normalize(data.feedback_config)
        if data.add_categories is not None or data.remove_categories is not None:
            config = edit_categories(config, data.add_categories, data.remove_categories)
        if config != row["feedback_config"]:
            update = {"workspace_id": principal.workspace_id, "id": row["id"], "feedback_config": Jsonb(config)}
            await conn.execute(q.UPDATE_CONFIG, update)
        if data.is_lower_score_better is not None:
            await conn.execute(q.UPDATE_DIRECTION, {**scope, "is_lower_score_better": data.is_lower_score_better})
        updated = await (await conn.execute(q.SELECT_FOR_UPDATE, {**scope, "id": row["id"]})).fetchone()
    if updated is None:  # the row is locked above; only a broken invariant lands here
        raise NotFound(f"no feedback config for key {data.feedback_key!r}")
    return config_from_row(updated)


@delete(PATH, status_code=204)
async def delete_feedback_config(
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    feedback_key: Annotated[str | None, QueryParameter()] = None,
    config_id: Annotated[uuid.UUID | None, QueryParameter(name="id")] = None,
) -> None:
    """Soft delete, by key (every config of it) or by id. Deleting what is already gone is not an
    error, so a retried delete succeeds."""
    if (feedback_key is None) == (config_id is None):
        raise BadRequest("pass exactly one of feedback_key or id")
    params = {"workspace_id": principal.workspace_id, "feedback_key": feedback_key, "id": config_id}
    await postgres.execute(q.DELETE_CONFIGS, params)


ROUTES: list[Any] = [create_feedback_config, list_feedback_configs, update_feedback_config, delete_feedback_config]
