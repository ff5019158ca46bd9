"""Presigned feedback tokens (wire §5): a URL that lets someone without a key leave feedback of
one key on one run until it expires, by POST or by a browser GET with query parameters.

The token is the credential, so it is always a fresh random UUID generated here. The SDK sends an
`id` of its own (its `feedback_id`, or a random one): that is kept only as an idempotency key of
the workspace, so a retried create answers with the token the first attempt made. The URL is built
on PUBLIC_URL, never on the request's Host header."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from psycopg.types.json import Jsonb
from rq import Queue

from app.backend.feedback import queries as fq
from app.backend.feedback.schemas import text
from app.backend.feedback.service import insert_feedback_row, parse_score
from app.backend.retention.service import keep_long
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres
from app.core.tables import FEEDBACK_COLUMNS

DEFAULT_TTL = dt.timedelta(hours=3)
MAX_TTL = dt.timedelta(days=365)


class ExpiresIn(msgspec.Struct):
    days: int = 0
    hours: int = 0
    minutes: int = 0


class TokenCreate(msgspec.Struct, kw_only=True):
    run_id: uuid.UUID
    feedback_key: str
    id: uuid.UUID | None = None
    feedback_config: dict[str, Any] | None = None
    expires_in: ExpiresIn | None = None
    expires_at: dt.datetime | None = None


class TokenOut(msgspec.Struct):
    id: uuid.UUID
    url: str
    expires_at: dt.datetime


class TokenFeedback(msgspec.Struct, kw_only=True):
    score: float | bool | None = None
    value: Any = None
    correction: Any = None
    comment: str | None = None
    metadata: dict[str, Any] | None = None


def _expiry(body: TokenCreate) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    if body.expires_at is not None:
        at = body.expires_at if body.expires_at.tzinfo else body.expires_at.replace(tzinfo=dt.UTC)
    elif body.expires_in is not None:
        at = now + dt.timedelta(days=body.expires_in.days, hours=body.expires_in.hours, minutes=body.expires_in.minutes)
    else:
        at = now + DEFAULT_TTL
    if not now < at <= now + MAX_TTL:
        raise BadRequest("a feedback token must expire in the future and within a year")
    return at


def _url(request: Request[Any, Any, Any], token: uuid.UUID) -> str:
    return request.app.state.settings.public.link(f"/api/v1/feedback/tokens/{token}")


async def _create(
    request: Request[Any, Any, Any], postgres: Postgres, principal: Principal, body: TokenCreate
) -> TokenOut:
    params = {"workspace_id": principal.workspace_id, "request_id": body.id}
    row = await postgres.fetch_one(
        fq.INSERT_TOKEN,
        {
            **params,
            "id": uuid.uuid4(),
            "run_id": body.run_id,
            "feedback_key": body.feedback_key,
            "feedback_config": Jsonb(body.feedback_config) if body.feedback_config else None,
            "expires_at": _expiry(body),
        },
    )
    if row is None:  # a retry of the same create (same client id): answer with the stored token
        row = await postgres.fetch_one(fq.SELECT_TOKEN_BY_REQUEST, params)
        if row is None:
            raise NotFound("feedback token not found")
    return TokenOut(id=row["id"], url=_url(request, row["id"]), expires_at=row["expires_at"])


@post("/api/v1/feedback/tokens", status_code=200)
async def create_tokens(
    request: Request[Any, Any, Any],
    data: JSONBody[TokenCreate | list[TokenCreate]],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> TokenOut | list[TokenOut]:
    if isinstance(data, list):
        return [await _create(request, postgres, principal, body) for body in data]
    return await _create(request, postgres, principal, data)


@get("/api/v1/feedback/tokens")
async def list_tokens(
    *,
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    run_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[TokenOut]:
    rows = await postgres.fetch_all(
        fq.LIST_TOKENS, {"workspace_id": principal.workspace_id, "run_id": run_id, "limit": limit, "offset": offset}
    )
    return [TokenOut(id=r["id"], url=_url(request, r["id"]), expires_at=r["expires_at"]) for r in rows]


async def _feedback_from_token(
    token: uuid.UUID, body: TokenFeedback, postgres: Postgres, ch: ClickHouse, queue: Queue
) -> dict[str, Any]:
    grant = await postgres.fetch_one(fq.SELECT_TOKEN, {"id": token})
    if grant is None or grant["expires_at"] <= dt.datetime.now(dt.UTC):
        raise NotFound("feedback link is invalid or expired")
    now = dt.datetime.now(dt.UTC)
    feedback_id = str(uuid.uuid4())
    row = {
        "id": feedback_id,
        "run_id": str(grant["run_id"]),
        "trace_id": None,
        "project_id": None,
        "key": grant["feedback_key"],
        "score": parse_score(body.score),
        "value": text(body.value),
        "comment": body.comment,
        "correction": text(body.correction),
        "feedback_source": text({"type": "app", "metadata": body.metadata or {}}),
        "source_type": "app",
        "feedback_config": text(grant["feedback_config"]),
        "extra": "",
        "comparative_experiment_id": None,
        "feedback_group_id": None,
        "start_time": None,
        "created_at": now,
        "modified_at": now,
        "version": time.time_ns(),
    }
    assert set(row) == set(FEEDBACK_COLUMNS)
    await insert_feedback_row(ch, str(grant["workspace_id"]), row)
    # Feedback keeps its run's trace for the long tier (issue 19).
    await keep_long(queue, grant["workspace_id"], [grant["run_id"]])
    return {"id": feedback_id, "key": row["key"], "run_id": row["run_id"], "score": row["score"]}


@post("/api/v1/feedback/tokens/{token:uuid}", opt={"exclude_from_auth": True}, status_code=200)
async def feedback_by_token(
    request: Request[Any, Any, Any],
    token: FromPath[uuid.UUID],
    data: JSONBody[TokenFeedback],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    return await _feedback_from_token(token, data, postgres, clickhouse, request.app.state.default_queue)


@get("/api/v1/feedback/tokens/{token:uuid}", opt={"exclude_from_auth": True})
async def feedback_by_token_get(
    *,
    request: Request[Any, Any, Any],
    token: FromPath[uuid.UUID],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
    score: Annotated[float | None, QueryParameter()] = None,
    value: Annotated[str | None, QueryParameter()] = None,
    comment: Annotated[str | None, QueryParameter()] = None,
) -> dict[str, Any]:
    """What a browser does with the link: feedback from query parameters."""
    return await _feedback_from_token(
        token,
        TokenFeedback(score=score, value=value, comment=comment),
        postgres,
        clickhouse,
        request.app.state.default_queue,
    )


ROUTES = [create_tokens, list_tokens, feedback_by_token, feedback_by_token_get]
