"""Reading runs for the wire: one run with its attachments as signed links, and a page of runs
(a root's usage is its trace's, feedback stats and attachment links when selected). Run reads,
public shares and experiments all read runs here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

import msgspec
from litestar import Request

from app.backend.feedback.stats import Scope, ScoreStats, feedback_stats
from app.backend.runs import listing
from app.backend.runs import queries as q
from app.backend.runs.schemas import AttachmentUrl, Run, run_from_row
from app.backend.runs.usage import roll_up_root_usage
from app.backend.signer import signer_of
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.errors import NotFound
from app.core.signing import Purpose, Signer, reference
from app.core.user_content import link

ATTACHMENT_URL_TTL = 3600
DOWNLOAD_PATH = "/api/v1/public/attachments/"


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


def attachment_link(
    request: Request[Any, Any, Any], signer: Signer, workspace: str, run_id: str, name: str, *, share: Share | None
) -> str:
    claims: dict[str, Any] = {"w": workspace, "r": run_id, "n": name}
    if share is not None:
        claims.update(sr=share.run_id, s=reference(share.token))
    return link(request, DOWNLOAD_PATH + signer.sign(Purpose.RUN_ATTACHMENT, claims, ATTACHMENT_URL_TTL))


def wire_feedback_stats(stats: dict[str, ScoreStats]) -> dict[str, Any]:
    """One run's stats by key as LangSmith returns them (`errors` and `values` are not tracked
    here; the SDK reads them, so they are present and empty)."""
    return {key: {"n": s.n, "avg": s.avg, "stdev": s.stdev, "errors": 0, "values": {}} for key, s in stats.items()}


async def load_run(
    request: Request[Any, Any, Any],
    clickhouse: ClickHouse,
    workspace: str,
    run_id: str,
    share: Share | None = None,
    *,
    with_feedback_stats: bool = False,
) -> Run:
    """One run of a workspace, attachments as signed URLs (shared by read_run and public shares;
    through a share, the links are bound to it). `with_feedback_stats`: read_run carries them, as
    LangSmith's does; public shares leave them out, so a share link exposes no more than before."""
    params = {"workspace_id": workspace, "id": run_id}
    rows = await clickhouse.aquery(q.SELECT_RUN, params)
    if not rows:
        raise NotFound("run not found")
    urls: dict[str, AttachmentUrl] = {}
    read_attachments = partial(clickhouse.aquery, q.SELECT_ATTACHMENTS, {"workspace_id": workspace, "run_id": run_id})
    if with_feedback_stats:  # independent reads: side by side
        attachments, stats = await side_by_side(
            read_attachments, partial(feedback_stats, clickhouse, workspace, Scope.RUNS, (run_id,))
        )
    else:
        attachments, stats = await read_attachments(), None
    if attachments:
        signer = await signer_of(request.app.state)
        for name, content_type in attachments:
            url = attachment_link(request, signer, workspace, run_id, name, share=share)
            urls[f"attachment.{name}"] = AttachmentUrl(presigned_url=url, mime_type=content_type)
    run = run_from_row(rows[0], urls)
    if stats is not None:
        run.feedback_stats = wire_feedback_stats(stats.get(run_id, {}))
    return run


async def trace_of_run(clickhouse: ClickHouse, workspace: str, run_id: str) -> Any:
    """The run's trace id, or None when the workspace has no such run."""
    rows = await clickhouse.aquery(q.SELECT_TRACE_OF_RUN, {"workspace_id": workspace, "id": run_id})
    return rows[0][0] if rows else None


async def _attach_feedback_stats(clickhouse: ClickHouse, workspace: str, runs: list[dict[str, Any]]) -> None:
    stats = await feedback_stats(clickhouse, workspace, Scope.RUNS, tuple(str(r["id"]) for r in runs))
    for run in runs:
        run["feedback_stats"] = wire_feedback_stats(stats.get(str(run["id"]), {}))


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


async def runs_by_id(
    request: Request[Any, Any, Any],
    clickhouse: ClickHouse,
    workspace: str,
    ids: Sequence[uuid.UUID],
    select: list[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The workspace's runs among `ids`, shaped for the wire as /runs/query shapes them (its
    `select`: None for its default fields), by id. An id that is unknown, or another
    workspace's, is simply absent."""
    found: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), listing.MAX_LIMIT):
        chunk = unique[start : start + listing.MAX_LIMIT]
        runs, _ = await fetch_runs(
            request, clickhouse, workspace, listing.RunsQuery(id=chunk, limit=len(chunk), select=select)
        )
        found.update((str(run["id"]), run) for run in runs)
    return found
