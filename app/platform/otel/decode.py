"""Decode an OTLP/HTTP trace export: protobuf (`application/x-protobuf`) or OTLP JSON.

Both go through the official generated classes (opentelemetry-proto). OTLP JSON differs from
protobuf's canonical JSON in one way that matters: trace and span ids are hex strings, not
base64, so they are converted before `json_format.ParseDict`.
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from app.core.errors import BadRequest
from app.core.ingest import json_problem, scan_json_text
from app.platform.ingest.envelope import check_json_budget
from app.platform.otel.bounds import MAX_DEPTH, check_message_count

_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


def decode_request(body: bytes, content_type: str) -> ExportTraceServiceRequest:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("application/x-protobuf", "application/protobuf", "application/octet-stream", ""):
        check_message_count(body)
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except DecodeError as exc:
            raise BadRequest(f"body is not a valid OTLP protobuf ExportTraceServiceRequest: {exc}") from None
        return request
    if kind == "application/json":
        check_json_budget(scan_json_text(body).values)
        try:
            data = msgspec.json.decode(body)
            # Both steps below recurse per level; protobuf allows 100 levels of messages anyway.
            if problem := json_problem(data, MAX_DEPTH * 2):
                raise ValueError(problem)
            _hex_ids_to_base64(data)
            export: ExportTraceServiceRequest = json_format.ParseDict(
                data, ExportTraceServiceRequest(), ignore_unknown_fields=True
            )
            return export
        except (msgspec.DecodeError, json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
            raise BadRequest(f"body is not a valid OTLP JSON ExportTraceServiceRequest: {exc}") from None
    raise BadRequest(f"unsupported Content-Type {content_type!r}; use application/x-protobuf or application/json")


def _hex_ids_to_base64(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _ID_FIELDS and isinstance(value, str) and value:
                node[key] = base64.b64encode(bytes.fromhex(value)).decode()
            else:
                _hex_ids_to_base64(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids_to_base64(item)


def encode_response(rejected: int, message: str, content_type: str) -> tuple[bytes, str]:
    response = ExportTraceServiceResponse()
    if rejected:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = message
    if (content_type or "").split(";")[0].strip().lower() == "application/json":
        return json_format.MessageToJson(response).encode(), "application/json"
    return response.SerializeToString(), "application/x-protobuf"
