"""Run shares as other resources see them: whether a run is shared, and under which token."""

from __future__ import annotations

import uuid
from typing import Any

from app.backend.sharing import queries as q
from app.core.postgres import Postgres


async def share_token_of_run(postgres: Postgres, workspace_id: Any, run_id: Any) -> uuid.UUID | None:
    """The run's current share token, or None when it is not shared."""
    row = await postgres.fetch_one(q.SELECT_SHARE_OF_RUN, {"workspace_id": workspace_id, "run_id": run_id})
    return row["token"] if row else None
