"""GET /api/v1/runs/{id} (with attachments as signed URLs), the signed download itself,
POST /runs/query and /runs/stats."""

from __future__ import annotations

import math
import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.backend.runs import listing
from app.backend.runs import queries as q
from app.backend.runs.schemas import Run
from app.backend.runs.service import DOWNLOAD_PATH, AttachmentClaims, fetch_runs, load_run
from app.backend.sharing.service import share_token_of_run
from app.backend.signer import signer_of
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import NotFound
from app.core.postgres import Postgres
from app.core.signing import Purpose, reference
from app.core.user_content import check_host, download_response

INVALID_LINK = "attachment link is invalid or expired"


@get("/api/v1/runs/{run_id:uuid}")
async def read_run(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> Run:
    return await load_run(request, clickhouse, str(principal.workspace_id), str(run_id), with_feedback_stats=True)


@get(DOWNLOAD_PATH + "{token:str}", opt={"exclude_from_auth": True})
async def download_attachment(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    clickhouse: NamedDependency[ClickHouse],
    postgres: NamedDependency[Postgres],
) -> Response[bytes]:
    check_host(request)
    claims = (await signer_of(request.app.state)).verify(Purpose.RUN_ATTACHMENT, token, AttachmentClaims)
    if claims is None:
        raise NotFound(INVALID_LINK)
    if claims.sr is not None:
        # Bound to a public share: unsharing (or sharing anew, with a new token) revokes it now,
        # not when the link expires.
        current = await share_token_of_run(postgres, claims.w, claims.sr)
        if current is None or reference(str(current)) != claims.s:
            raise NotFound(INVALID_LINK)
    rows = await clickhouse.aquery(
        q.SELECT_ATTACHMENT_DATA, {"workspace_id": claims.w, "run_id": claims.r, "name": claims.n}, binary=True
    )
    if not rows:
        raise NotFound("attachment not found")
    content_type, data = rows[0]
    return download_response(data, content_type, claims.n)


@post("/api/v1/runs/query", status_code=200, opt={"role": "viewer"})
async def query_runs(
    request: Request[Any, Any, Any],
    data: JSONBody[listing.RunsQuery],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    runs, next_cursor = await fetch_runs(request, clickhouse, str(principal.workspace_id), data)
    return {"runs": runs, "cursors": {"next": next_cursor}}


def _quantile(values: list[float], index: int) -> float | None:
    value = values[index] if values else None
    return None if value is None or math.isnan(value) else float(value)


@post("/api/v1/runs/stats", status_code=200, opt={"role": "viewer"})
async def run_stats(
    data: JSONBody[listing.RunsQuery],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    """Aggregates over the runs a /runs/query body selects (the SDK's get_run_stats)."""
    where, params = listing.build_where(data, str(principal.workspace_id))
    (
        count,
        latency,
        first_token,
        prompt,
        completion,
        total,
        median_tokens,
        prompt_cost,
        completion_cost,
        total_cost,
        errors,
        last_start,
        unpriced,
    ) = (await clickhouse.aquery(q.RUN_STATS.format(where=" AND ".join(where)), params))[0]
    return {
        "run_count": count,
        "latency_p50": _quantile(latency, 0),
        "latency_p99": _quantile(latency, 1),
        "first_token_p50": _quantile(first_token, 0),
        "first_token_p99": _quantile(first_token, 1),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total,
        "median_tokens": _quantile(median_tokens, 0) if count else None,
        "prompt_cost": prompt_cost,
        "completion_cost": completion_cost,
        "total_cost": total_cost,
        "error_rate": errors / count if count else None,
        "last_run_start_time": last_start if count else None,
        # Tracehouse's: models of LLM runs with tokens but no cost (app/core/tables.UNPRICED_LLM_RUN).
        "unpriced_models": sorted(m for m in unpriced if m),
    }


ROUTES = [read_run, download_attachment, query_runs, run_stats]
