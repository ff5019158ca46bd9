"""Map OTel spans to LangSmith-shaped runs (wire §9), which then go through ingestion like any run.

Conventions understood, in order of precedence:
- LangSmith (`langsmith.*`): name, run type, project, tags, metadata, explicit ids/dotted order;
- OTel GenAI (`gen_ai.*`, current and deprecated names): operation → run type, system → provider,
  models and request parameters → invocation params, usage → token counts, `gen_ai.prompt` /
  `gen_ai.completion` JSON, indexed `gen_ai.prompt.N.role|content` and message events;
- OpenInference: `openinference.span.kind`, `input.value` / `output.value`,
  `llm.input_messages.N.message.*`, `llm.output_messages.N.message.*`, `llm.token_count.*`,
  `llm.model_name`, `llm.invocation_parameters`.
Attributes none of these consume are kept in metadata under their own names, never dropped.

Ids: `langsmith.span.id` etc. when present; otherwise a deterministic UUID from the span id and
the trace id, so a child names its parent's run id without seeing the parent. A child's trace
position (dotted order) is filled in by the writer once the parent is known, which handles spans
whose parent arrives later (the common case: OTel exports children first, as they end first).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import msgspec

DEFAULT_PROJECT = "default"
GEN_AI_RUN_TYPES = {
    "chat": "llm", "completion": "llm", "text_completion": "llm", "generate_content": "llm",
    "embeddings": "embedding", "embedding": "embedding", "execute_tool": "tool", "invoke_agent": "chain",
    "create_agent": "chain",
}  # fmt: skip
OPENINFERENCE_RUN_TYPES = {
    "llm": "llm", "chain": "chain", "tool": "tool", "retriever": "retriever", "embedding": "embedding",
    "agent": "chain", "reranker": "retriever", "guardrail": "chain", "evaluator": "chain",
}  # fmt: skip
LS_RUN_TYPES = {"llm", "chain", "tool", "retriever", "embedding", "prompt", "parser"}
PARAM_ATTRIBUTES = {
    "gen_ai.request.temperature": "temperature", "gen_ai.request.top_p": "top_p",
    "gen_ai.request.max_tokens": "max_tokens", "gen_ai.request.frequency_penalty": "frequency_penalty",
    "gen_ai.request.presence_penalty": "presence_penalty", "gen_ai.request.seed": "seed",
    "gen_ai.request.top_k": "top_k", "gen_ai.request.encoding_formats": "encoding_formats",
    "gen_ai.request.stop_sequences": "stop",
}  # fmt: skip
USAGE_ATTRIBUTES = {
    "gen_ai.usage.input_tokens": "input_tokens", "gen_ai.usage.prompt_tokens": "input_tokens",
    "gen_ai.usage.output_tokens": "output_tokens", "gen_ai.usage.completion_tokens": "output_tokens",
    "gen_ai.usage.total_tokens": "total_tokens", "llm.token_count.prompt": "input_tokens",
    "llm.token_count.completion": "output_tokens", "llm.token_count.total": "total_tokens",
}  # fmt: skip
MESSAGE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
_INDEXED = re.compile(r"^(gen_ai\.(?:prompt|completion)|llm\.(?:input|output)_messages)\.(\d+)\.(?:message\.)?(.+)$")
_decode_json = msgspec.json.decode


class SpanError(ValueError):
    pass


def any_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind)


def attributes(items: Any) -> dict[str, Any]:
    return {kv.key: any_value(kv.value) for kv in items}


def _time(nanos: int) -> str | None:
    if not nanos:
        return None
    return dt.datetime.fromtimestamp(nanos / 1e9, dt.UTC).isoformat()


def _json_or_text(value: Any, key: str) -> Any:
    if isinstance(value, str):
        try:
            parsed = _decode_json(value)
        except msgspec.DecodeError:
            return {key: value}
        return parsed if isinstance(parsed, dict) else {key: parsed}
    return value if isinstance(value, dict) else {key: value}


def run_id_of(trace_id: bytes, span_id: bytes) -> str:
    if len(span_id) != 8 or len(trace_id) != 16:
        raise SpanError("span needs a 16-byte trace_id and an 8-byte span_id")
    return str(uuid.UUID(bytes=span_id + trace_id[8:]))


def _messages(attrs: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        match = _INDEXED.match(key)
        if match and match.group(1) == prefix:
            found.setdefault(int(match.group(2)), {})[match.group(3)] = value
    return [found[i] for i in sorted(found)]


def _run_type(attrs: dict[str, Any]) -> str:
    kind = str(attrs.get("langsmith.span.kind") or "").lower()
    if kind in LS_RUN_TYPES:
        return kind
    operation = str(attrs.get("gen_ai.operation.name") or "").lower()
    if operation in GEN_AI_RUN_TYPES:
        return GEN_AI_RUN_TYPES[operation]
    oi = str(attrs.get("openinference.span.kind") or "").lower()
    if oi in OPENINFERENCE_RUN_TYPES:
        return OPENINFERENCE_RUN_TYPES[oi]
    return "chain"


def span_to_run(span: Any, resource: dict[str, Any], header_project: str | None) -> dict[str, Any]:
    attrs = attributes(span.attributes)
    used: set[str] = set()

    def take(*keys: str) -> Any:
        for key in keys:
            if key in attrs:
                used.add(key)
                if attrs[key] not in (None, ""):
                    return attrs[key]
        return None

    run: dict[str, Any] = {
        "id": take("langsmith.span.id") or run_id_of(span.trace_id, span.span_id),
        "name": take("langsmith.trace.name") or span.name or "span",
        "run_type": _run_type(attrs),
        "start_time": _time(span.start_time_unix_nano),
        "end_time": _time(span.end_time_unix_nano),
    }
    used.update({"langsmith.span.kind", "gen_ai.operation.name", "openinference.span.kind"})
    parent = take("langsmith.span.parent_id")
    if parent is None and span.parent_span_id:
        parent = run_id_of(span.trace_id, span.parent_span_id)
    if parent:
        run["parent_run_id"] = parent
    if (trace := take("langsmith.trace.id")) and (dotted := take("langsmith.span.dotted_order")):
        run["trace_id"], run["dotted_order"] = trace, dotted
    session_id = take("langsmith.trace.session_id")
    if session_id:
        run["session_id"] = session_id
    run["session_name"] = take("langsmith.trace.session_name") or header_project or DEFAULT_PROJECT
    tags = take("langsmith.span.tags")
    if tags:
        run["tags"] = [t.strip() for t in (tags if isinstance(tags, list) else str(tags).split(",")) if t.strip()]

    inputs = _inputs(attrs, take, span)
    outputs = _outputs(attrs, take, span)
    if inputs is not None:
        run["inputs"] = inputs
    if outputs is not None:
        run["outputs"] = outputs

    run["extra"] = _extra(attrs, take, used, resource)

    events, error = _events(span)
    if events:
        run["events"] = events
    if span.status.code == 2:  # STATUS_CODE_ERROR
        run["error"] = "\n\n".join(x for x in (span.status.message, error) if x) or "error"
    return run


def _extra(attrs: dict[str, Any], take: Any, used: set[str], resource: dict[str, Any]) -> dict[str, Any]:
    """extra.metadata (LangSmith metadata, provider/model, usage, every unused attribute) and
    extra.invocation_params (model and request parameters)."""
    metadata: dict[str, Any] = {}
    for key in list(attrs):
        if key.startswith("langsmith.metadata."):
            metadata[key[len("langsmith.metadata.") :]] = attrs[key]
            used.add(key)
    params: dict[str, Any] = {}
    model = take("gen_ai.request.model", "gen_ai.response.model", "llm.model_name")
    if model:
        params["model"] = model
        metadata.setdefault("ls_model_name", model)
    provider = take("gen_ai.system", "gen_ai.provider.name", "llm.provider", "llm.system")
    if provider:
        metadata.setdefault("ls_provider", provider)
    for key, name in PARAM_ATTRIBUTES.items():
        if (value := take(key)) is not None:
            params[name] = value
    if (oi_params := take("llm.invocation_parameters")) is not None:
        params.update(_json_or_text(oi_params, "invocation_parameters"))
    usage: dict[str, Any] = {}
    for key, name in USAGE_ATTRIBUTES.items():
        if (value := take(key)) is not None:
            usage.setdefault(name, value)
    if usage:
        metadata["usage_metadata"] = usage
    for key, value in attrs.items():
        if key not in used and not _INDEXED.match(key):
            metadata.setdefault(key, value)  # unknown attributes are kept, not dropped
    for key, value in resource.items():
        metadata.setdefault(f"resource.{key}", value)
    extra: dict[str, Any] = {"metadata": metadata}
    if params:
        extra["invocation_params"] = params
    return extra


def _inputs(attrs: dict[str, Any], take: Any, span: Any) -> Any:
    if (prompt := take("gen_ai.prompt")) is not None:
        return _json_or_text(prompt, "input")
    messages = _messages(attrs, "gen_ai.prompt") or _messages(attrs, "llm.input_messages")
    if not messages:
        messages = [
            {"role": MESSAGE_EVENTS[e.name], **_event_content(e)} for e in span.events if e.name in MESSAGE_EVENTS
        ]
    if messages:
        return {"messages": messages}
    if (value := take("input.value")) is not None:
        return _json_or_text(value, "input")
    return None


def _outputs(attrs: dict[str, Any], take: Any, span: Any) -> Any:
    if (completion := take("gen_ai.completion")) is not None:
        return _json_or_text(completion, "output")
    messages = _messages(attrs, "gen_ai.completion") or _messages(attrs, "llm.output_messages")
    if not messages:
        for event in span.events:
            if event.name == "gen_ai.choice":
                body = _event_content(event)
                message = body.get("message")
                if isinstance(message, str):
                    try:
                        message = _decode_json(message)
                    except msgspec.DecodeError:
                        message = {"role": "assistant", "content": message}
                messages.append(message if isinstance(message, dict) else body)
    if messages:
        return {"messages": messages}
    if (value := take("output.value")) is not None:
        return _json_or_text(value, "output")
    return None


def _event_content(event: Any) -> dict[str, Any]:
    attrs = attributes(event.attributes)
    body = attrs.pop("event.body", None) or attrs.pop("body", None)
    if isinstance(body, str):
        try:
            body = _decode_json(body)
        except msgspec.DecodeError:
            body = {"content": body}
    if isinstance(body, dict):
        attrs.update(body)
    attrs.pop("gen_ai.system", None)
    return attrs


def _events(span: Any) -> tuple[list[dict[str, Any]], str | None]:
    events: list[dict[str, Any]] = []
    error = None
    for event in span.events:
        attrs = attributes(event.attributes)
        events.append({"name": event.name, "time": _time(event.time_unix_nano), "kwargs": attrs})
        if event.name == "exception":
            error = "\n".join(
                str(attrs[k]) for k in ("exception.type", "exception.message", "exception.stacktrace") if attrs.get(k)
            )
    return events, error
