"""POST /runs/multipart, POST /runs/batch, POST /runs and PATCH /runs/{id} (wire §2).

Each handler authenticates (middleware), decodes and checks the envelope, enqueues one rq job
carrying the whole accepted batch, dead-letters the rejected items, and answers with what was
accepted and what was not: 202 when every item was accepted, 422 when any was refused (naming
each by part, run id and field). The valid items of a request with refused ones are queued all
the same, and the SDK does not retry a 422, so they are neither lost nor sent twice (and a resend
would merge by run id anyway). Enqueueing is the durability point: once the job is in Redis
(AOF), the batch survives any restart of the services, and the worker retries until it lands.
"""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
from litestar import Request, Response, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from app.core.auth import Principal
from app.core.encoding import decode_body
from app.core.errors import BadRequest
from app.core.ingest import MAX_ITEMS_PER_REQUEST, scan_json_text
from app.core.multipart import MultipartError, TooManyParts, boundary_of, parse_multipart
from app.platform.ingest.envelope import (
    Envelope,
    check_json_budget,
    decode_json,
    from_batch,
    from_multipart,
    from_single,
)
from app.platform.ingest.service import store, too_many


async def _raw(request: Request[Any, Any, Any]) -> bytes:
    return decode_body(await request.body(), request.headers.get("content-encoding"))


def _json(body: bytes) -> tuple[Any, bool]:
    """The decoded body, and whether its text was tame (no run in it needs the JSON walk)."""
    scan = scan_json_text(body)
    check_json_budget(scan.values)
    try:
        return decode_json(body), scan.tame
    except ValueError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from None


async def _accept(request: Request[Any, Any, Any], env: Envelope) -> Response[dict[str, Any]]:
    await anyio.to_thread.run_sync(store, request.app.state.ingest_queue, env)
    report = env.report()
    if env.rejected:
        return Response({"error": "unprocessable", "detail": refused_detail(env), **report}, status_code=422)
    return Response(report, status_code=202)


def refused_detail(env: Envelope) -> str:
    """One line the SDK logs: how many were refused, the first few by part, run id and field."""
    named = [
        r.part + (f" (run {r.item_id})" if r.item_id and r.item_id not in r.part else "") + f": {r.reason}"
        for r in env.rejected[:3]
    ]
    more = f"; and {len(env.rejected) - 3} more" if len(env.rejected) > 3 else ""
    accepted = env.batch.size()
    return f"{len(env.rejected)} item(s) refused, {accepted} accepted: " + "; ".join(named) + more


@post("/api/v1/runs/multipart", status_code=202)
async def ingest_multipart(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Response[dict[str, Any]]:
    body = await _raw(request)
    try:
        parts = parse_multipart(body, boundary_of(request.headers.get("content-type", "")), MAX_ITEMS_PER_REQUEST)
    except TooManyParts:
        raise too_many("parts") from None
    except MultipartError as exc:
        raise BadRequest(f"malformed multipart body: {exc}") from None
    return await _accept(request, from_multipart(str(principal.workspace_id), parts))


@post("/api/v1/runs/batch", status_code=202)
async def ingest_batch(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Response[dict[str, Any]]:
    body, tame = _json(await _raw(request))
    if not isinstance(body, dict):
        raise BadRequest('body must be an object {"post": [...], "patch": [...]}')
    if sum(len(v) for k in ("post", "patch") if isinstance(v := body.get(k), list)) > MAX_ITEMS_PER_REQUEST:
        raise too_many("runs")
    return await _accept(request, from_batch(str(principal.workspace_id), body, walk=not tame))


@post("/api/v1/runs", status_code=202)
async def create_run(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Response[dict[str, Any]]:
    run, tame = _json(await _raw(request))
    envelope = from_single(str(principal.workspace_id), "post", run, walk=not tame)
    return await _accept(request, envelope)


@patch("/api/v1/runs/{run_id:str}", status_code=202)
async def update_run(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal], run_id: FromPath[str]
) -> Response[dict[str, Any]]:
    try:
        canonical = str(uuid.UUID(run_id))
    except ValueError:
        raise BadRequest(f"run id {run_id!r} is not a UUID") from None
    run, tame = _json(await _raw(request))
    envelope = from_single(str(principal.workspace_id), "patch", run, canonical, walk=not tame)
    return await _accept(request, envelope)


ROUTES = [ingest_multipart, ingest_batch, create_run, update_run]
