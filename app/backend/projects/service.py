"""Projects as other resources (monitoring, threads, the playground's experiments) use them."""

from __future__ import annotations

import uuid
from typing import Any

from app.backend.projects import queries as q
from app.core.errors import NotFound
from app.core.postgres import Postgres


async def own_project(postgres: Postgres, workspace_id: uuid.UUID, project_id: uuid.UUID) -> dict[str, Any]:
    """The project row, or 404 when it is not the caller's."""
    row = await postgres.fetch_one(q.SELECT_PROJECT, {"workspace_id": workspace_id, "id": project_id})
    if row is None:
        raise NotFound("project not found")
    return row


async def insert_project(postgres: Postgres, params: dict[str, Any]) -> dict[str, Any] | None:
    """Insert a project (`params` name every column of INSERT_PROJECT but the retention ones,
    which default to the workspace's); None when the id or the name is taken."""
    return await postgres.fetch_one(q.INSERT_PROJECT, {**NO_RETENTION, **params})


# A project's own retention choices when it makes none (app/backend/retention).
NO_RETENTION: dict[str, Any] = {"trace_tier": None, "longlived_ttl_days": None, "payload_ttl_days": None}
