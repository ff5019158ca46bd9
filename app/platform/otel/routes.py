"""POST /api/v1/otel/v1/traces (and /otel/v1/traces via nginx): OTLP/HTTP, protobuf or JSON.

Spans become runs and take the same durable path as SDK batches (one rq job per request), so
an OTLP export is accepted in one request however large, and answered with an
ExportTraceServiceResponse (partial success when some spans were rejected).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request, Response, post
from litestar.di import NamedDependency

from app.core.auth import Principal
from app.core.encoding import decode_body
from app.core.ingest import MAX_ITEMS_PER_REQUEST
from app.platform.ingest.envelope import Envelope, add_run
from app.platform.ingest.service import store, too_many
from app.platform.otel.decode import decode_request, encode_response
from app.platform.otel.mapping import SpanError, attributes, span_to_run


def spans_to_envelope(request_pb: Any, workspace_id: str, header_project: str | None) -> Envelope:
    env = Envelope(workspace_id)
    runs: list[dict[str, Any]] = []
    for resource_spans in request_pb.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                try:
                    run = span_to_run(span, resource, header_project)
                    # `langsmith.span.id` / `.parent_id` attributes may be any AnyValue (a list, a
                    # map); ids are compared and hashed below, so they must be strings.
                    for key in ("id", "parent_run_id"):
                        if key in run and not isinstance(run[key], str):
                            raise SpanError(f"{key} must be a string UUID")
                    runs.append(run)
                except (SpanError, ValueError) as exc:
                    label = f"span {span.span_id.hex() or '?'}"
                    env.reject(label, "post", None, str(exc), {"name": span.name})
    ordered, cyclic = parents_first(runs)
    for run in cyclic:
        env.reject(f"span {run['id']}", "post", run["id"], "span is its own ancestor (a parent cycle)", None)
    for run in ordered:
        add_run(env, "post", run, run["id"])
    return env


def parents_first(runs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Runs ordered parents before children where both are in this export (so the writer places
    children without waiting for a retry), and apart the runs on a parent cycle (a span that is
    its own parent, or A→B→A), which no order can place. Iterative: a deep chain of spans is
    legitimate and must not hit the recursion limit."""
    by_id = {r["id"]: r for r in runs}
    depth: dict[str, int] = {}
    cyclic: set[str] = set()
    for run in runs:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = run["id"]
        # Walk up until a run of known depth, a parent outside this export, or a repeat.
        while (
            current is not None
            and current in by_id
            and current not in depth
            and current not in cyclic
            and current not in on_path
        ):
            path.append(current)
            on_path.add(current)
            current = by_id[current].get("parent_run_id")
        if current in on_path:
            loop_start = path.index(current)
            cyclic.update(path[loop_start:])  # the loop itself
            cyclic.update(path[:loop_start])  # and what hangs under it: it can never be placed
            continue
        if current in cyclic:
            cyclic.update(path)
            continue
        level = depth.get(current, -1) if current is not None else -1
        for run_id in reversed(path):
            level += 1
            depth[run_id] = level
    ordered = sorted((r for r in runs if r["id"] not in cyclic), key=lambda r: depth[r["id"]])
    return ordered, [r for r in runs if r["id"] in cyclic]


# The SDK's own OTLP provider (LANGSMITH_OTEL_ENABLED) hands its exporter `{api_url}/otel` as the
# full traces URL, so that path is an alias of the standard one.
@post(["/api/v1/otel/v1/traces", "/api/v1/otel"], status_code=200)
async def otlp_traces(request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Response[bytes]:
    content_type = request.headers.get("content-type", "application/x-protobuf")
    body = decode_body(await request.body(), request.headers.get("content-encoding"))
    export = decode_request(body, content_type)
    if sum(len(ss.spans) for rs in export.resource_spans for ss in rs.scope_spans) > MAX_ITEMS_PER_REQUEST:
        raise too_many("spans")
    project = request.headers.get("langsmith-project") or None
    env = spans_to_envelope(export, str(principal.workspace_id), project)
    await anyio.to_thread.run_sync(store, request.app.state.ingest_queue, env)
    message = "; ".join(f"{r.part}: {r.reason}" for r in env.rejected[:5])
    payload, media_type = encode_response(len(env.rejected), message, content_type)
    return Response(payload, media_type=media_type, status_code=200)


ROUTES = [otlp_traces]
