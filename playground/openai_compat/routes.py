"""/api/v1/playground/openai/v1/chat/completions and /models.

Point the OpenAI SDK at `http://HOST:1980/api/v1/playground/openai/v1` with a Tracehouse API key
as its api_key. The model picks the provider: `provider-name/model` (e.g. `my-vllm/llama-3.1-8b`),
or just `model` when the workspace has one provider (or a `X-Tracehouse-Provider` header names
it). Answers, streamed chunks and errors have OpenAI's shapes; every call is an `llm` run in the
`playground` project (or the project named by a `X-Tracehouse-Project` header).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Stream

from app.core.auth import Principal
from app.core.errors import BadRequest, TracehouseError
from app.core.postgres import Postgres
from playground.chat.service import SSE_HEADERS, open_stream
from playground.model_providers.service import list_provider_rows, load_provider, provider_named
from playground.providers.base import ChatRequest, ChatResult, StreamEnd, StreamEvent, TextDelta, ToolCallDelta
from playground.tracing import PLAYGROUND_PROJECT, CallTrace

BASE = "/api/v1/playground/openai/v1"
KNOWN = {"model", "messages", "temperature", "max_tokens", "max_completion_tokens", "top_p", "stop", "tools",
         "tool_choice", "response_format", "stream", "stream_options"}  # fmt: skip
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
               429: "rate_limit_error"}  # fmt: skip


def openai_error(exc: TracehouseError) -> Response[dict[str, Any]]:
    """Errors in OpenAI's shape, so the OpenAI SDK raises its usual exception classes."""
    body = {
        "error": {
            "message": exc.detail,
            "type": ERROR_TYPES.get(exc.status_code, "api_error"),
            "code": exc.code,
            **({"provider": exc.extra["provider"]} if "provider" in exc.extra else {}),
        }
    }
    return Response(body, status_code=exc.status_code)


async def _split_model(
    request: Request[Any, Any, Any], postgres: Postgres, principal: Principal, model: str
) -> tuple[str | None, str]:
    """(provider name or None, model) from `provider/model`, when that provider exists here."""
    header = request.headers.get("x-tracehouse-provider")
    if header:
        return header, model
    head, sep, rest = model.partition("/")
    if sep and rest:
        if await provider_named(postgres, principal.workspace_id, head) is not None:
            return head, rest
    return None, model


def _chat_request(body: dict[str, Any], model: str) -> ChatRequest:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages must be a non-empty list")
    stop = body.get("stop")
    return ChatRequest(
        model=model,
        messages=messages,
        temperature=body.get("temperature"),
        max_tokens=body.get("max_tokens") or body.get("max_completion_tokens"),
        top_p=body.get("top_p"),
        stop=[stop] if isinstance(stop, str) else stop,
        tools=body.get("tools"),
        tool_choice=body.get("tool_choice"),
        response_format=body.get("response_format"),
        extra={k: v for k, v in body.items() if k not in KNOWN and v is not None},
    )


def _completion(trace: CallTrace, result: ChatResult, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{trace.run_id.hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": result.message, "finish_reason": result.finish_reason, "logprobs": None}],
        "usage": {
            "prompt_tokens": result.usage.input_tokens,
            "completion_tokens": result.usage.output_tokens,
            "total_tokens": result.usage.total_tokens,
        },
    }


def _chunk(trace: CallTrace, model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    chunk = {
        "id": f"chatcmpl-{trace.run_id.hex}",
        "object": "chat.completion.chunk",
        "created": int(trace.started.timestamp()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return b"data: " + msgspec.json.encode(chunk) + b"\n\n"


@post(BASE + "/chat/completions", status_code=200)
async def chat_completions(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> Response[Any] | Stream:
    try:
        try:
            body = msgspec.json.decode(await request.body())
        except msgspec.DecodeError as exc:
            raise BadRequest(f"body is not valid JSON: {exc}") from None
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            raise BadRequest("the body must be a JSON object with a model")
        provider, model = await _split_model(request, postgres, principal, body["model"])
        config, _ = await load_provider(request.app.state, postgres, principal.workspace_id, provider)
        trace = CallTrace(
            request=_chat_request(body, model),
            config=config,
            project=request.headers.get("x-tracehouse-project") or PLAYGROUND_PROJECT,
            metadata={"via": "openai-compatible endpoint"},
        )
        if not body.get("stream"):
            result = await request.app.state.caller.invoke(principal.workspace_id, config, trace)
            return Response(_completion(trace, result, body["model"]))
        events = await open_stream(request, principal, trace)
    except TracehouseError as exc:
        return openai_error(exc)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return Stream(
        _chunks(trace, events, body["model"], include_usage), media_type="text/event-stream", headers=SSE_HEADERS
    )


async def _chunks(
    trace: CallTrace, events: AsyncGenerator[StreamEvent, None], model: str, include_usage: bool
) -> AsyncIterator[bytes]:
    yield _chunk(trace, model, {"role": "assistant", "content": ""})
    try:
        async for event in events:
            if isinstance(event, TextDelta):
                yield _chunk(trace, model, {"content": event.text})
            elif isinstance(event, ToolCallDelta):
                call: dict[str, Any] = {"index": event.index, "function": {"arguments": event.arguments}}
                if event.id:
                    call.update(id=event.id, type="function")
                if event.name:
                    call["function"]["name"] = event.name
                yield _chunk(trace, model, {"tool_calls": [call]})
            elif isinstance(event, StreamEnd):
                yield _chunk(trace, model, {}, event.result.finish_reason or "stop")
                if include_usage:
                    usage = event.result.usage
                    chunk = {
                        "id": f"chatcmpl-{trace.run_id.hex}",
                        "object": "chat.completion.chunk",
                        "created": int(trace.started.timestamp()),
                        "model": model,
                        "choices": [],
                        "usage": {
                            "prompt_tokens": usage.input_tokens,
                            "completion_tokens": usage.output_tokens,
                            "total_tokens": usage.total_tokens,
                        },
                    }
                    yield b"data: " + msgspec.json.encode(chunk) + b"\n\n"
                break
    except TracehouseError as exc:
        # Mid-stream failure: OpenAI streams report errors as a data line with an error object.
        yield b"data: " + msgspec.json.encode({"error": {"message": exc.detail, "code": exc.code}}) + b"\n\n"
    finally:
        with anyio.CancelScope(shield=True):
            await events.aclose()
    yield b"data: [DONE]\n\n"


@get(BASE + "/models")
async def list_models(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, Any]:
    """The workspace's providers' default models, as `provider/model` ids."""
    rows = await list_provider_rows(postgres, principal.workspace_id)
    data = [
        {"id": f"{r['name']}/{r['default_model']}", "object": "model", "created": int(r["created_at"].timestamp()),
         "owned_by": r["name"]}
        for r in rows
        if r["default_model"]
    ]  # fmt: skip
    return {"object": "list", "data": data}


ROUTES = [chat_completions, list_models]
