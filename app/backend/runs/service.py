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
from app.backend.runs.schemas import AttachmentUrl, Run, json_column, run_from_row
from app.backend.runs.usage import roll_up_root_usage
from app.backend.signer import signer_of
from app.core.clickhouse import ClickHouse
from app.core.concurrency import side_by_side
from app.core.errors import NotFound
from app.core.previews import error_preview, preview
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
    request: Request[Any, Any, Any],
    clickhouse: ClickHouse,
    workspace: str,
    body: listing.RunsQuery,
    *,
    subtree_usage: bool = True,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of runs shaped for the wire (feedback stats, previews and attachment links included
    when selected; with `subtree_usage`, as v1 answers, a root's usage is its trace's), and the
    cursor of the next page."""
    listing.check_page(body)
    if listing.sorts_by_trace_usage(body):
        return await _roots_by_trace_usage(request, clickhouse, workspace, body)
    if body.sort_by in q.TRACE_SORT_VALUES:
        # Runs of every kind sorted by tokens or cost are sorted by their own usage, so each row
        # shows its own too (a root showing its trace's total would look out of order).
        subtree_usage = False
    sql, params, columns, selected = listing.build_query(body, workspace)
    rows = [dict(zip(columns, values, strict=True)) for values in await clickhouse.aquery(sql, params)]
    runs = [listing.shape(r, selected) for r in rows]
    previews = [f for f in listing.PREVIEW_FIELDS if f in selected]
    # Rows written before previews were stored have NULL ones: only those read their payloads.
    unstored = [
        (row, run)
        for row, run in zip(rows, runs, strict=True)
        if any(row[f] is None for f in previews)  # a preview's column has the field's name
    ]
    if runs:  # the page's follow-up queries are independent: run them side by side
        await side_by_side(
            *([partial(roll_up_root_usage, clickhouse, workspace, body.session, rows, runs)] if subtree_usage else []),
            *([partial(_attach_feedback_stats, clickhouse, workspace, runs)] if "feedback_stats" in selected else []),
            *(
                [
                    partial(
                        _attach_previews,
                        clickhouse,
                        workspace,
                        body.session,
                        [row for row, _ in unstored],
                        [run for _, run in unstored],
                        fields=previews,
                    )
                ]
                if unstored
                else []
            ),
        )
    if any("s3_urls" in selected or row["attachments"] for row in rows):
        signer = await signer_of(request.app.state)
        for row, run in zip(rows, runs, strict=True):
            if "s3_urls" not in selected and not row["attachments"]:
                continue
            run["s3_urls"] = {
                f"attachment.{name}": {
                    "presigned_url": attachment_link(request, signer, workspace, str(row["id"]), name, share=None),
                    "mime_type": None,
                }
                for name in row.get("attachments") or ()
            }
    next_cursor = None
    if len(rows) == body.limit:
        last = rows[-1]
        if body.sort_by == "start_time":
            next_cursor = listing.encode_cursor(last["start_time"], last["id"])
        else:
            next_cursor = listing.encode_sort_cursor(body.sort_by, last[listing.SORT_VALUE], last["id"])
    return runs, next_cursor


async def _roots_by_trace_usage(
    request: Request[Any, Any, Any], clickhouse: ClickHouse, workspace: str, body: listing.RunsQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of root runs ordered by their trace's total tokens or cost: the order is found over
    the traces' totals, then the page's roots are read by id like any page."""
    where, params = listing.build_where(body, workspace)
    direction = "DESC" if body.order == "desc" else "ASC"
    after = ""
    if body.cursor:
        value, run_id = listing.decode_sort_cursor(body.cursor, body.sort_by)
        comparison = "<" if body.order == "desc" else ">"
        after = f"HAVING (sort_value, trace_id) {comparison} (%(cursor_value)s, %(cursor_id)s)"
        params.update(cursor_value=value, cursor_id=run_id)
    if body.session:
        params["projects"] = tuple(str(s) for s in body.session)
    sql = q.ROOTS_BY_TRACE_USAGE.format(
        value=q.TRACE_SORT_VALUES[body.sort_by],
        projects="AND project_id IN %(projects)s" if body.session else "",
        where=" AND ".join(where),
        after=after,
        direction=direction,
    )
    order = await clickhouse.aquery(sql, {**params, "limit": body.limit})
    if not order:
        return [], None
    ids = [uuid.UUID(str(trace)) for trace, _ in order]
    page = listing.RunsQuery(session=body.session, id=ids, is_root=True, select=body.select, limit=len(ids))
    runs, _ = await fetch_runs(request, clickhouse, workspace, page)
    by_id = {str(run["id"]): run for run in runs}
    ordered = [by_id[str(t)] for t, _ in order if str(t) in by_id]
    next_cursor = None
    if len(order) == body.limit:
        next_cursor = listing.encode_sort_cursor(body.sort_by, order[-1][1], order[-1][0])
    return ordered, next_cursor


async def _attach_previews(
    clickhouse: ClickHouse,
    workspace: str,
    projects: list[uuid.UUID] | None,
    rows: list[dict[str, Any]],
    runs: list[dict[str, Any]],
    *,
    fields: list[str],
) -> None:
    """Fill the selected previews of `rows` (a page's rows written before previews were stored)
    from their payloads, read for their ids only: a page never reads the payloads of the runs it
    sorted past, nor those of its rows whose previews are stored."""
    columns = list(dict.fromkeys(listing.PREVIEW_FIELDS[f] for f in fields))
    params = {
        "workspace_id": workspace,
        "ids": tuple(str(row["id"]) for row in rows),
        "since": min(row["start_time"] for row in rows),
        "until": max(row["start_time"] for row in rows),
        "projects": tuple(str(p) for p in projects or ()),
    }
    sql = q.PAGE_PAYLOADS_IN_PROJECTS if projects else q.PAGE_PAYLOADS_ANY_PROJECT
    payloads = {
        str(values[0]): dict(zip(columns, values[1:], strict=True))
        for values in await clickhouse.aquery(sql.format(columns=", ".join(columns)), params)
    }
    for run in runs:
        payload = payloads.get(str(run["id"]), {})
        for field in fields:
            text = payload.get(listing.PREVIEW_FIELDS[field])
            if field == "error_preview":
                run[field] = error_preview(text)
            else:
                run[field] = preview(json_column(text, None), user=field == "inputs_preview")


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
