"""/api/v1/feedback: create (idempotent by id, never 404 for an unseen run), read, list, update
(null clears), delete. Rows are written straight to ClickHouse so a read right after a create
sees it; the high-volume path (feedback parts of /runs/multipart) goes through the ingest queue."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from app.backend.feedback import queries as q
from app.backend.feedback.schemas import Feedback, FeedbackCreate, feedback_from_row, row_dict, text
from app.backend.feedback.service import insert_feedback_row, parse_score
from app.backend.feedback_configs.service import register
from app.backend.retention.service import keep_long
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

PATCHABLE = ("score", "value", "correction", "comment")


async def _current(ch: ClickHouse, workspace: str, feedback_id: uuid.UUID) -> dict[str, Any]:
    rows = await ch.aquery(q.SELECT_FEEDBACK, {"workspace_id": workspace, "id": str(feedback_id)})
    if not rows:
        raise NotFound("feedback not found")
    return row_dict(rows[0])


class FeedbackController(Controller):
    path = "/api/v1/feedback"

    @post("/", status_code=200)
    async def create_feedback(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[FeedbackCreate],
        principal: NamedDependency[Principal],
        clickhouse: NamedDependency[ClickHouse],
        postgres: NamedDependency[Postgres],
    ) -> Feedback:
        now = dt.datetime.now(dt.UTC)
        if data.feedback_config is not None:
            # Like LangSmith, feedback that carries a config registers it for a key that has none.
            # A config we cannot register (an evaluator's loose shape) does not cost the score:
            # the feedback keeps the config as sent.
            with contextlib.suppress(BadRequest):
                await register(postgres, principal, data.key, data.feedback_config, keep_existing=True)
        source = data.feedback_source or {"type": "api"}
        feedback_id = str(data.id or uuid.uuid4())
        row = {
            "id": feedback_id,
            "run_id": _str(data.run_id),
            "trace_id": _str(data.trace_id),
            "project_id": _str(data.session_id),
            "key": data.key,
            "score": parse_score(data.score),
            "value": text(data.value),
            "comment": data.comment,
            "correction": text(data.correction),
            "feedback_source": text(source),
            "source_type": str(source.get("type") or "api")[:64],
            "feedback_config": text(data.feedback_config),
            "extra": text(data.extra),
            "comparative_experiment_id": _str(data.comparative_experiment_id),
            "feedback_group_id": _str(data.feedback_group_id),
            "start_time": data.start_time,
            "created_at": data.created_at or now,
            "modified_at": data.modified_at or now,
            "version": time.time_ns(),
        }
        await insert_feedback_row(clickhouse, str(principal.workspace_id), row)
        # Feedback keeps its run's trace for the long tier (LangSmith's upgrade, issue 19).
        await keep_long(request.app.state.default_queue, principal.workspace_id, [data.run_id])
        return feedback_from_row({**row, "id": uuid.UUID(feedback_id), **_uuids(row)})

    @get("/{feedback_id:uuid}")
    async def read_feedback(
        self,
        feedback_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        clickhouse: NamedDependency[ClickHouse],
    ) -> Feedback:
        return feedback_from_row(await _current(clickhouse, str(principal.workspace_id), feedback_id))

    @get("/")
    async def list_feedback(
        self,
        *,
        principal: NamedDependency[Principal],
        clickhouse: NamedDependency[ClickHouse],
        run: Annotated[list[uuid.UUID] | None, QueryParameter()] = None,
        key: Annotated[list[str] | None, QueryParameter()] = None,
        source: Annotated[list[str] | None, QueryParameter()] = None,
        session: Annotated[list[uuid.UUID] | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[Feedback]:
        params = {
            "workspace_id": str(principal.workspace_id),
            "runs": [str(r) for r in run or []],
            "keys": key or [],
            "sources": source or [],
            "sessions": [str(s) for s in session or []],
            "limit": limit,
            "offset": offset,
        }
        return [feedback_from_row(row_dict(r)) for r in await clickhouse.aquery(q.LIST_FEEDBACK, params)]

    @patch("/{feedback_id:uuid}")
    async def update_feedback(
        self,
        feedback_id: FromPath[uuid.UUID],
        data: JSONBody[dict[str, Any]],
        principal: NamedDependency[Principal],
        clickhouse: NamedDependency[ClickHouse],
    ) -> Feedback:
        unknown = set(data) - set(PATCHABLE)
        if unknown:
            raise BadRequest(f"only {', '.join(PATCHABLE)} can be updated, not {', '.join(sorted(unknown))}")
        workspace = str(principal.workspace_id)
        row = await _current(clickhouse, workspace, feedback_id)
        # Only the keys sent change; an explicit null clears (wire §5).
        if "score" in data:
            row["score"] = parse_score(data["score"])
        if "value" in data:
            row["value"] = text(data["value"])
        if "correction" in data:
            row["correction"] = text(data["correction"])
        if "comment" in data:
            row["comment"] = data["comment"]
        row["modified_at"] = dt.datetime.now(dt.UTC)
        row["version"] = max(time.time_ns(), row["version"] + 1)
        await insert_feedback_row(clickhouse, workspace, row)
        return feedback_from_row(row)

    @delete("/{feedback_id:uuid}", status_code=200)
    async def delete_feedback(
        self,
        feedback_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        clickhouse: NamedDependency[ClickHouse],
    ) -> dict[str, str]:
        workspace = str(principal.workspace_id)
        row = await _current(clickhouse, workspace, feedback_id)
        row["version"] = max(time.time_ns(), row["version"] + 1)
        await insert_feedback_row(clickhouse, workspace, row, deleted=True)
        return {"id": str(feedback_id), "status": "deleted"}


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _uuids(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("run_id", "trace_id", "project_id", "comparative_experiment_id", "feedback_group_id")
    return {k: uuid.UUID(row[k]) if row[k] else None for k in keys}
