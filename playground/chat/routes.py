"""POST /api/v1/playground/invoke (one JSON answer) and /stream (Server-Sent Events).

Stream events, each `event: NAME` + `data: JSON`:

    run        {"run_id"}                                   first, always
    delta      {"text"}                                     text as it arrives
    tool_call  {"index", "id", "name", "arguments"}         pieces of a tool call
    end        {"message", "finish_reason", "usage", "latency", "first_token_latency", "run_id"}
    error      {"error", "detail"}                          the provider failed mid-answer

A provider that fails before answering is a plain HTTP error (JSON), not a stream. A client that
disconnects cancels the upstream request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import Stream

from app.core.auth import Principal
from app.core.errors import BadRequest, UpstreamFailure
from app.core.postgres import Postgres
from playground.chat.schemas import ChatAnswer, ChatBody, UsageOut
from playground.chat.service import SSE_HEADERS, open_stream
from playground.model_providers.service import load_provider
from playground.prompts import load_prompt
from playground.providers.base import ChatRequest, StreamEnd, StreamEvent, TextDelta, ToolCallDelta
from playground.tracing import PLAYGROUND_PROJECT, CallTrace


async def prepare(
    request: Request[Any, Any, Any], postgres: Postgres, principal: Principal, body: ChatBody
) -> CallTrace:
    """The provider, the rendered messages and the parameters of a call, as a trace to fill."""
    config, row = await load_provider(request.app.state, postgres, principal.workspace_id, body.provider)
    defaults: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    messages = body.messages
    if body.prompt is not None:
        rendered = await load_prompt(postgres, principal.workspace_id, body.prompt, body.variables)
        messages, defaults = rendered.messages, rendered.model_defaults
        metadata = {"prompt": body.prompt, "prompt_commit": rendered.commit_hash}
    model = body.model or defaults.get("model") or row["default_model"]
    if not model:
        raise BadRequest("name a model (the provider has no default_model)")
    stop = body.stop if body.stop is not None else defaults.get("stop")
    chat = ChatRequest(
        model=model,
        messages=messages or [],
        temperature=body.temperature if body.temperature is not None else defaults.get("temperature"),
        max_tokens=body.max_tokens if body.max_tokens is not None else defaults.get("max_tokens"),
        top_p=body.top_p if body.top_p is not None else defaults.get("top_p"),
        stop=[stop] if isinstance(stop, str) else stop,
        tools=body.tools,
        tool_choice=body.tool_choice,
        response_format=body.response_format,
        extra={
            k: v
            for k, v in (
                ("seed", body.seed),
                ("presence_penalty", body.presence_penalty),
                ("frequency_penalty", body.frequency_penalty),
            )
            if v is not None
        },
    )
    return CallTrace(request=chat, config=config, project=body.project or PLAYGROUND_PROJECT, metadata=metadata)


@post("/api/v1/playground/invoke", status_code=200)
async def invoke(
    request: Request[Any, Any, Any],
    data: JSONBody[ChatBody],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> ChatAnswer:
    trace = await prepare(request, postgres, principal, data)
    result = await request.app.state.caller.invoke(principal.workspace_id, trace.config, trace)
    return ChatAnswer(
        run_id=trace.run_id,
        provider=trace.config.name,
        model=result.model,
        message=result.message,
        finish_reason=result.finish_reason,
        usage=UsageOut(
            input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens,
            total_tokens=result.usage.total_tokens,
        ),
        latency=round(trace.latency, 4),
    )


def sse(event: str, data: Any) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + msgspec.json.encode(data) + b"\n\n"


def _event(trace: CallTrace, event: StreamEvent) -> bytes:
    if isinstance(event, TextDelta):
        return sse("delta", {"text": event.text})
    if isinstance(event, ToolCallDelta):
        return sse(
            "tool_call", {"index": event.index, "id": event.id, "name": event.name, "arguments": event.arguments}
        )
    result = event.result
    first = (trace.first_token - trace.started).total_seconds() if trace.first_token else None
    return sse(
        "end",
        {
            "run_id": str(trace.run_id),
            "message": result.message,
            "finish_reason": result.finish_reason,
            "model": result.model,
            "usage": {
                "input_tokens": result.usage.input_tokens,
                "output_tokens": result.usage.output_tokens,
                "total_tokens": result.usage.total_tokens,
            },
            "latency": round(trace.latency, 4),
            "first_token_latency": round(first, 4) if first is not None else None,
        },
    )


@post("/api/v1/playground/stream", status_code=200)
async def stream(
    request: Request[Any, Any, Any],
    data: JSONBody[ChatBody],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Stream:
    trace = await prepare(request, postgres, principal, data)
    events = await open_stream(request, principal, trace)

    async def body() -> AsyncIterator[bytes]:
        yield sse("run", {"run_id": str(trace.run_id)})
        try:
            async for event in events:
                yield _event(trace, event)
                if isinstance(event, StreamEnd):
                    break
        except UpstreamFailure as exc:
            yield sse("error", {"error": exc.code, "detail": exc.detail})
        finally:
            with anyio.CancelScope(shield=True):
                await events.aclose()

    return Stream(body(), media_type="text/event-stream", headers=SSE_HEADERS)


ROUTES = [invoke, stream]
