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
from app.platform.ingest.envelope import Envelope, add_run
from app.platform.ingest.routes import store
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
                    runs.append(span_to_run(span, resource, header_project))
                except (SpanError, ValueError) as exc:
                    label = f"span {span.span_id.hex() or '?'}"
                    env.reject(label, "post", None, str(exc), {"name": span.name})
    # Parents before children where both are in this export, so the writer can place children
    # without waiting for a retry.
    ids = {r["id"] for r in runs}
    depth: dict[str, int] = {}
    by_id = {r["id"]: r for r in runs}

    def level(run: dict[str, Any], seen: int = 0) -> int:
        parent = run.get("parent_run_id")
        if parent not in ids or seen > 1000:
            return 0
        if run["id"] not in depth:
            depth[run["id"]] = 1 + level(by_id[parent], seen + 1)
        return depth[run["id"]]

    for run in sorted(runs, key=level):
        add_run(env, "post", run, run["id"])
    return env


@post("/api/v1/otel/v1/traces", status_code=200)
async def otlp_traces(request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Response[bytes]:
    content_type = request.headers.get("content-type", "application/x-protobuf")
    body = decode_body(await request.body(), request.headers.get("content-encoding"))
    export = decode_request(body, content_type)
    project = request.headers.get("langsmith-project") or None
    env = spans_to_envelope(export, str(principal.workspace_id), project)
    await anyio.to_thread.run_sync(store, request.app.state.ingest_queue, env)
    message = "; ".join(f"{r.part}: {r.reason}" for r in env.rejected[:5])
    payload, media_type = encode_response(len(env.rejected), message, content_type)
    return Response(payload, media_type=media_type, status_code=200)


ROUTES = [otlp_traces]
