"""Run shares as other resources see them: whether a run is shared, under which token, and the
share a token names; sharing and unsharing (the v1 and v2 share endpoints both write here)."""

from __future__ import annotations

import uuid
from typing import Any

from app.backend.sharing import queries as q
from app.core.errors import NotFound
from app.core.postgres import Postgres


async def share_token_of_run(postgres: Postgres, workspace_id: Any, run_id: Any) -> uuid.UUID | None:
    """The run's current share token, or None when it is not shared."""
    row = await postgres.fetch_one(q.SELECT_SHARE_OF_RUN, {"workspace_id": workspace_id, "run_id": run_id})
    return row["token"] if row else None


async def share(postgres: Postgres, workspace_id: Any, run_id: Any, trace_id: Any) -> uuid.UUID:
    """Share the run (and so its trace); sharing a shared run keeps, and answers, its token."""
    params = {"workspace_id": workspace_id, "run_id": run_id}
    await postgres.execute(q.INSERT_SHARE, {**params, "token": uuid.uuid4(), "trace_id": trace_id})
    token = await share_token_of_run(postgres, workspace_id, run_id)
    assert token is not None  # just inserted, or there already
    return token


async def unshare(postgres: Postgres, workspace_id: Any, run_id: Any) -> None:
    await postgres.execute(q.DELETE_SHARE, {"workspace_id": workspace_id, "run_id": run_id})


async def shared(postgres: Postgres, token: uuid.UUID | str) -> dict[str, Any]:
    """The share a token names (workspace_id, run_id, trace_id), or 404; a token that is not even
    a UUID names no share either."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        raise NotFound("shared run not found") from None
    row = await postgres.fetch_one(q.SELECT_SHARE, {"token": token})
    if row is None:
        raise NotFound("shared run not found")
    return row
