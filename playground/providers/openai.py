"""OpenAI Chat Completions, and every server that speaks it (vLLM, llama.cpp, Ollama, LiteLLM, ...).

Canonical requests already are this wire format, so the work here is choosing fields, assembling
streamed chunks and mapping errors.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import httpx

from playground.providers.base import (
    ChatRequest,
    ChatResult,
    ProviderConfig,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from playground.providers.errors import json_object, malformed, raise_for_status, transport_errors
from playground.providers.transport import endpoint, model_ids, request_json


class OpenAIProvider:
    kind: str = "openai"
    default_base_url: str | None = "https://api.openai.com/v1"

    async def complete(self, client: httpx.AsyncClient, config: ProviderConfig, request: ChatRequest) -> ChatResult:
        url = endpoint(config, "/chat/completions")
        payload = await request_json(
            client, config, "POST", url, json=_body(request), headers=_headers(config), what="the answer"
        )
        try:
            choice = payload["choices"][0]
            message, finish_reason = _canonical_message(choice["message"]), choice.get("finish_reason")
        except (AttributeError, KeyError, IndexError, TypeError) as exc:
            raise malformed(config, "no choices[0].message") from exc
        return ChatResult(
            message=message,
            finish_reason=finish_reason,
            usage=_usage(payload.get("usage")),
            model=str(payload.get("model") or request.model),
            raw_id=payload.get("id"),
        )

    async def stream(
        self, client: httpx.AsyncClient, config: ProviderConfig, request: ChatRequest
    ) -> AsyncGenerator[StreamEvent, None]:
        url = endpoint(config, "/chat/completions")
        # include_usage adds a last chunk with the token counts; servers that ignore it leave usage at 0.
        body = {**_body(request), "stream": True, "stream_options": {"include_usage": True}}
        state = _StreamState(request.model)
        with transport_errors(config, url):
            # Inside the generator, so closing the generator closes the response (and the upstream request).
            async with client.stream("POST", url, json=body, headers=_headers(config)) as response:
                await raise_for_status(response, config)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, comments (": keep-alive"), event:/id: fields
                    data = line[5:].strip()
                    if data == "[DONE]":
                        state.done = True
                        break
                    for event in state.feed(json_object(data, config, what="a stream event"), config):
                        yield event
        if not state.done:
            raise malformed(config, "the stream ended before the answer was complete")
        yield StreamEnd(state.result())

    async def list_models(self, client: httpx.AsyncClient, config: ProviderConfig) -> list[str]:
        url = endpoint(config, "/models")
        return model_ids(
            config, await request_json(client, config, "GET", url, headers=_headers(config), what="the model list")
        )


class OpenAICompatibleProvider(OpenAIProvider):
    """Self-hosted servers on the same wire; the base URL must be configured and the key is optional."""

    kind: str = "openai_compatible"
    default_base_url: str | None = None


def _headers(config: ProviderConfig) -> dict[str, str]:
    # Keyless local servers: sending "Bearer None" would be wrong, and some servers reject any token.
    return {"Authorization": f"Bearer {config.api_key}"} if config.api_key is not None else {}


def _body(request: ChatRequest) -> dict[str, Any]:
    named = {
        "model": request.model,
        "messages": request.messages,
        "temperature": request.temperature,
        # OpenAI prefers max_completion_tokens, but many compatible servers only know max_tokens.
        "max_tokens": request.max_tokens,
        "top_p": request.top_p,
        "stop": request.stop,
        "tools": request.tools,
        "tool_choice": request.tool_choice,
        "response_format": request.response_format,
    }
    # Named fields win over extras, so `extra` cannot smuggle in a second model or a stream flag.
    return {key: value for key, value in {**request.extra, **named}.items() if value is not None}


def _canonical_message(message: dict[str, Any]) -> dict[str, Any]:
    """Keep the canonical fields only (drops refusal, audio, annotations, provider extensions)."""
    result: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    if message.get("tool_calls"):
        result["tool_calls"] = [
            {
                "id": call.get("id"),
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": call["function"].get("arguments") or ""},
            }
            for call in message["tool_calls"]
        ]
    return result


def _usage(usage: Any) -> Usage:
    if not isinstance(usage, dict):
        return Usage()
    return Usage(
        input_tokens=int(usage.get("prompt_tokens") or 0), output_tokens=int(usage.get("completion_tokens") or 0)
    )


class _StreamState:
    """Assembles chunks into the final result while passing their deltas on."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.raw_id: str | None = None
        self.text: list[str] = []
        self.calls: dict[int, dict[str, str]] = {}  # index -> {id, name, arguments}
        self.finish_reason: str | None = None
        self.usage = Usage()
        self.done = False

    def feed(self, chunk: dict[str, Any], config: ProviderConfig) -> list[StreamEvent]:
        if "error" in chunk:  # vLLM and OpenAI report failures after the 200 as an error chunk
            error = chunk["error"]
            detail = error.get("message") if isinstance(error, dict) else error
            raise malformed(config, f"the stream failed: {str(detail)[:300]}")
        self.raw_id = chunk.get("id") or self.raw_id
        self.model = chunk.get("model") or self.model
        if chunk.get("usage"):
            self.usage = _usage(chunk["usage"])
        events: list[StreamEvent] = []
        try:
            for choice in chunk.get("choices") or []:  # empty in the usage chunk
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    self.text.append(delta["content"])
                    events.append(TextDelta(delta["content"]))
                events.extend(self._tool_call(call) for call in delta.get("tool_calls") or [])
                if choice.get("finish_reason"):
                    self.finish_reason = choice["finish_reason"]
                    # Some servers end here without [DONE]; the answer is complete all the same.
                    self.done = True
        except (AttributeError, KeyError, TypeError) as exc:
            raise malformed(config, "a stream chunk of unexpected shape") from exc
        return events

    def _tool_call(self, call: dict[str, Any]) -> ToolCallDelta:
        function = call.get("function") or {}
        delta = ToolCallDelta(
            index=int(call["index"]),
            id=call.get("id"),
            name=function.get("name"),
            arguments=function.get("arguments") or "",
        )
        assembled = self.calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
        assembled["id"] = delta.id or assembled["id"]
        assembled["name"] = delta.name or assembled["name"]
        assembled["arguments"] += delta.arguments
        return delta

    def result(self) -> ChatResult:
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.text) or None}
        if self.calls:
            message["tool_calls"] = [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["arguments"]},
                }
                for _, call in sorted(self.calls.items())
            ]
        elif message["content"] is None:
            message["content"] = ""  # a reply that is just empty text, as complete() would give
        return ChatResult(
            message=message, finish_reason=self.finish_reason, usage=self.usage, model=self.model, raw_id=self.raw_id
        )
