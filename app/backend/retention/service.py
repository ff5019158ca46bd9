"""Retention settings: reading and changing them, and asking for long-tier upgrades.

Who may change what is decided here, not only in the routes: a project's tier can also be set
through PATCH /sessions (the SDK's wire), which editors may call for its other fields.
"""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
import msgspec
from rq import Queue

from app.backend.retention import queries as q
from app.backend.retention.schemas import WorkspaceRetention, WorkspaceRetentionUpdate, retention_from_row
from app.core.auth import Principal
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.postgres import Postgres
from app.core.retention import enqueue_keep_long


def require_admin(principal: Principal) -> None:
    if principal.role != "admin":
        raise Forbidden(
            f"changing retention needs the admin role; the API key has {principal.role}", code="insufficient_role"
        )


async def workspace_retention(postgres: Postgres, workspace_id: uuid.UUID) -> WorkspaceRetention:
    row = await postgres.fetch_one(q.SELECT_WORKSPACE_RETENTION, {"workspace_id": workspace_id})
    return retention_from_row(row)


async def update_workspace_retention(
    postgres: Postgres, principal: Principal, change: WorkspaceRetentionUpdate
) -> WorkspaceRetention:
    require_admin(principal)
    current = await workspace_retention(postgres, principal.workspace_id)
    values: dict[str, Any] = msgspec.structs.asdict(current)
    values.update({k: v for k, v in msgspec.structs.asdict(change).items() if v is not msgspec.UNSET})
    if values["shortlived_ttl_days"] > values["longlived_ttl_days"]:
        raise BadRequest("shortlived_ttl_days must not be longer than longlived_ttl_days")
    row = await postgres.fetch_one(q.UPSERT_WORKSPACE_RETENTION, {**values, "workspace_id": principal.workspace_id})
    return retention_from_row(row)


async def update_project_retention(
    postgres: Postgres,
    principal: Principal,
    project_id: uuid.UUID,
    *,
    trace_tier: Any = msgspec.UNSET,
    longlived_ttl_days: Any = msgspec.UNSET,
    payload_ttl_days: Any = msgspec.UNSET,
) -> dict[str, Any] | None:
    """Set a project's own retention fields (UNSET: unchanged; None: as the workspace says) and
    return them as stored; None when nothing was asked. Applies to the traces written from then
    on (LangSmith's semantics)."""
    given = (trace_tier, longlived_ttl_days, payload_ttl_days)
    if all(v is msgspec.UNSET for v in given):
        return None
    require_admin(principal)
    params = {
        "workspace_id": principal.workspace_id,
        "id": project_id,
        "set_tier": trace_tier is not msgspec.UNSET,
        "trace_tier": None if trace_tier is msgspec.UNSET else trace_tier,
        "set_long": longlived_ttl_days is not msgspec.UNSET,
        "longlived_ttl_days": None if longlived_ttl_days is msgspec.UNSET else longlived_ttl_days,
        "set_payload": payload_ttl_days is not msgspec.UNSET,
        "payload_ttl_days": None if payload_ttl_days is msgspec.UNSET else payload_ttl_days,
    }
    row: dict[str, Any] | None = await postgres.fetch_one(q.UPDATE_PROJECT_RETENTION, params)
    if row is None:
        raise NotFound("project not found")
    return row


async def keep_long(queue: Queue, workspace_id: uuid.UUID, run_ids: list[Any]) -> None:
    """Keep these runs' traces for the long tier (feedback, a dataset example, a queue item)."""
    ids = [str(r) for r in run_ids if r]
    if ids:
        await anyio.to_thread.run_sync(lambda: enqueue_keep_long(queue, str(workspace_id), ids))
