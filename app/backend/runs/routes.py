"""GET /api/v1/runs/{id} (with attachments as signed URLs) and the signed download itself."""

from __future__ import annotations

import math
import uuid
from functools import partial
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.backend.runs import listing
from app.backend.runs import queries as q
from app.backend.runs.schemas import AttachmentUrl, Run, run_from_row
from app.backend.runs.usage import roll_up_root_usage
from app.backend.sharing.queries import SELECT_SHARE_OF_RUN
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.errors import NotFound
from app.core.postgres import Postgres
from app.core.signing import Purpose, Signer, load_signer, reference
from app.core.user_content import check_host, download_response, link

ATTACHMENT_URL_TTL = 3600
DOWNLOAD_PATH = "/api/v1/public/attachments/"
INVALID_LINK = "attachment link is invalid or expired"


class AttachmentClaims(msgspec.Struct, frozen=True):
    """What a run-attachment link grants: one attachment of one run. A link handed out through a
    public share also names that share (`sr`, the shared run; `s`, a reference to its token) and
    dies the moment the run is unshared."""

    w: str
    r: str
    n: str
    sr: str | None = None
    s: str | None = None


class Share(msgspec.Struct, frozen=True):
    """The public share a run is being read through: the shared run and its token."""

    run_id: str
    token: str


async def signer_of(state: State) -> Signer:
    signer = state.get("signer")
    if signer is None:
        signer = await load_signer(state.stores.postgres, state.settings.auth.secret_key)
        state.signer = signer
    return signer


def attachment_link(
    request: Request[Any, Any, Any], signer: Signer, workspace: str, run_id: str, name: str, *, share: Share | None
) -> str:
    claims: dict[str, Any] = {"w": workspace, "r": run_id, "n": name}
    if share is not None:
        claims.update(sr=share.run_id, s=reference(share.token))
    return link(request, DOWNLOAD_PATH + signer.sign(Purpose.RUN_ATTACHMENT, claims, ATTACHMENT_URL_TTL))


async def load_run(
    request: Request[Any, Any, Any], clickhouse: ClickHouse, workspace: str, run_id: str, share: Share | None = None
) -> Run:
    """One run of a workspace, attachments as signed URLs (shared by read_run and public shares;
    through a share, the links are bound to it)."""
    params = {"workspace_id": workspace, "id": run_id}
    rows = await clickhouse.aquery(q.SELECT_RUN, params)
    if not rows:
        raise NotFound("run not found")
    urls: dict[str, AttachmentUrl] = {}
    attachments = await clickhouse.aquery(q.SELECT_ATTACHMENTS, {"workspace_id": workspace, "run_id": run_id})
    if attachments:
        signer = await signer_of(request.app.state)
        for name, content_type in attachments:
            url = attachment_link(request, signer, workspace, run_id, name, share=share)
            urls[f"attachment.{name}"] = AttachmentUrl(presigned_url=url, mime_type=content_type)
    return run_from_row(rows[0], urls)


@get("/api/v1/runs/{run_id:uuid}")
async def read_run(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> Run:
    return await load_run(request, clickhouse, str(principal.workspace_id), str(run_id))


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
        share = await postgres.fetch_one(SELECT_SHARE_OF_RUN, {"workspace_id": claims.w, "run_id": claims.sr})
        if share is None or reference(str(share["token"])) != claims.s:
            raise NotFound(INVALID_LINK)
    rows = await clickhouse.aquery(
        q.SELECT_ATTACHMENT_DATA, {"workspace_id": claims.w, "run_id": claims.r, "name": claims.n}, binary=True
    )
    if not rows:
        raise NotFound("attachment not found")
    content_type, data = rows[0]
    return download_response(data, content_type, claims.n)


SELECT_FEEDBACK_STATS = """
SELECT run_id, key, count(), avg(score), stddevPop(score)
FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IN %(ids)s AND is_deleted = 0
GROUP BY run_id, key
"""


async def _attach_feedback_stats(clickhouse: ClickHouse, workspace: str, runs: list[dict[str, Any]]) -> None:
    stats: dict[Any, dict[str, Any]] = {}
    for run_id, key, n, avg, stdev in await clickhouse.aquery(
        SELECT_FEEDBACK_STATS, {"workspace_id": workspace, "ids": tuple(str(r["id"]) for r in runs)}
    ):
        stats.setdefault(run_id, {})[key] = {"n": n, "avg": avg, "stdev": stdev, "errors": 0, "values": {}}
    for run in runs:
        run["feedback_stats"] = stats.get(run["id"], {})


async def fetch_runs(
    request: Request[Any, Any, Any], clickhouse: ClickHouse, workspace: str, body: listing.RunsQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of runs shaped for the wire (feedback stats and attachment links included when
    selected; a root's usage is its trace's), and the cursor of the next page."""
    sql, params, columns, selected = listing.build_query(body, workspace)
    rows = [dict(zip(columns, values, strict=True)) for values in await clickhouse.aquery(sql, params)]
    runs = [listing.shape(r, selected) for r in rows]
    if runs:  # the page's follow-up queries are independent: run them side by side
        await side_by_side(
            partial(roll_up_root_usage, clickhouse, workspace, body.session, rows, runs),
            *([partial(_attach_feedback_stats, clickhouse, workspace, runs)] if "feedback_stats" in selected else []),
        )
    if runs and "s3_urls" in selected:
        signer = await signer_of(request.app.state)
        for row, run in zip(rows, runs, strict=True):
            run["s3_urls"] = {
                f"attachment.{name}": {
                    "presigned_url": attachment_link(request, signer, workspace, str(row["id"]), name, share=None),
                    "mime_type": None,
                }
                for name in row.get("attachments") or ()
            }
    next_cursor = None
    if len(rows) == body.limit:
        next_cursor = listing.encode_cursor(rows[-1]["start_time"], rows[-1]["id"])
    return runs, next_cursor


@post("/api/v1/runs/query", status_code=200, opt={"role": "viewer"})
async def query_runs(
    request: Request[Any, Any, Any],
    data: JSONBody[listing.RunsQuery],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    runs, next_cursor = await fetch_runs(request, clickhouse, str(principal.workspace_id), data)
    return {"runs": runs, "cursors": {"next": next_cursor}}


RUN_STATS = """
SELECT
    count(),
    quantiles(0.5, 0.99)(latency_seconds),
    quantilesIf(0.5, 0.99)(dateDiff('microsecond', start_time, first_token_time) / 1e6, first_token_time IS NOT NULL),
    sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
    quantiles(0.5)(total_tokens),
    sum(prompt_cost), sum(completion_cost), sum(total_cost),
    countIf(status = 'error'),
    max(start_time)
FROM runs FINAL
WHERE {where}
"""


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
    ) = (await clickhouse.aquery(RUN_STATS.format(where=" AND ".join(where)), params))[0]
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
    }


ROUTES = [read_run, download_attachment, query_runs, run_stats]
