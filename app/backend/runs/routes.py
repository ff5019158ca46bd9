"""GET /api/v1/runs/{id} (with attachments as signed URLs) and the signed download itself."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.backend.runs import listing
from app.backend.runs import queries as q
from app.backend.runs.schemas import AttachmentUrl, Run, run_from_row
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import NotFound
from app.core.signing import Signer, load_signer

ATTACHMENT_URL_TTL = 3600
DOWNLOAD_PATH = "/api/v1/public/attachments/"


async def signer_of(state: State) -> Signer:
    signer = state.get("signer")
    if signer is None:
        signer = await load_signer(state.stores.postgres, state.settings.auth.secret_key)
        state.signer = signer
    return signer


@get("/api/v1/runs/{run_id:uuid}")
async def read_run(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> Run:
    params = {"workspace_id": str(principal.workspace_id), "id": str(run_id)}
    rows = await clickhouse.aquery(q.SELECT_RUN, params)
    if not rows:
        raise NotFound("run not found")
    urls: dict[str, AttachmentUrl] = {}
    attachments = await clickhouse.aquery(
        q.SELECT_ATTACHMENTS, {"workspace_id": params["workspace_id"], "run_id": params["id"]}
    )
    if attachments:
        signer = await signer_of(request.app.state)
        for name, content_type in attachments:
            token = signer.sign({"w": params["workspace_id"], "r": params["id"], "n": name}, ATTACHMENT_URL_TTL)
            urls[f"attachment.{name}"] = AttachmentUrl(presigned_url=DOWNLOAD_PATH + token, mime_type=content_type)
    return run_from_row(rows[0], urls)


@get(DOWNLOAD_PATH + "{token:str}", opt={"exclude_from_auth": True})
async def download_attachment(
    request: Request[Any, Any, Any], token: FromPath[str], clickhouse: NamedDependency[ClickHouse]
) -> Response[bytes]:
    claims = (await signer_of(request.app.state)).verify(token)
    if claims is None:
        raise NotFound("attachment link is invalid or expired")
    rows = await clickhouse.aquery(
        q.SELECT_ATTACHMENT_DATA,
        {"workspace_id": claims["w"], "run_id": claims["r"], "name": claims["n"]},
        binary=True,
    )
    if not rows:
        raise NotFound("attachment not found")
    content_type, data = rows[0]
    return Response(data, media_type=content_type.decode(), headers={"Cache-Control": "private, max-age=300"})


SELECT_FEEDBACK_STATS = """
SELECT run_id, key, count(), avg(score), stddevPop(score)
FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND run_id IN %(ids)s AND is_deleted = 0
GROUP BY run_id, key
"""


@post("/api/v1/runs/query", status_code=200)
async def query_runs(
    request: Request[Any, Any, Any],
    data: JSONBody[listing.RunsQuery],
    principal: NamedDependency[Principal],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    workspace = str(principal.workspace_id)
    sql, params, columns, selected = listing.build_query(data, workspace)
    rows = [dict(zip(columns, values, strict=True)) for values in await clickhouse.aquery(sql, params)]
    runs = [listing.shape(r, selected) for r in rows]
    if runs and "feedback_stats" in selected:
        stats: dict[Any, dict[str, Any]] = {}
        for run_id, key, n, avg, stdev in await clickhouse.aquery(
            SELECT_FEEDBACK_STATS, {"workspace_id": workspace, "ids": tuple(str(r["id"]) for r in runs)}
        ):
            stats.setdefault(run_id, {})[key] = {"n": n, "avg": avg, "stdev": stdev, "errors": 0, "values": {}}
        for run in runs:
            run["feedback_stats"] = stats.get(run["id"], {})
    if runs and "s3_urls" in selected:
        signer = await signer_of(request.app.state)
        for row, run in zip(rows, runs, strict=True):
            run["s3_urls"] = {
                f"attachment.{name}": {
                    "presigned_url": DOWNLOAD_PATH
                    + signer.sign({"w": workspace, "r": str(row["id"]), "n": name}, ATTACHMENT_URL_TTL),
                    "mime_type": None,
                }
                for name in row.get("attachments") or ()
            }
    next_cursor = None
    if len(rows) == data.limit:
        next_cursor = listing.encode_cursor(rows[-1]["start_time"], rows[-1]["id"])
    return {"runs": runs, "cursors": {"next": next_cursor}}


ROUTES = [read_run, download_attachment, query_runs]
