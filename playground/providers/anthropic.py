"""Anthropic Messages API: canonical (OpenAI-shaped) requests in, canonical results out.

Approximations, because the APIs differ:
- response_format has no Messages equivalent: json_object / json_schema become an instruction appended to
  the system prompt, so the reply is JSON by request, not by guarantee.
- `extra` keys are forwarded only when the Messages API knows them (`_EXTRA_KEYS`); OpenAI-only options
  such as seed or presence_penalty would make Anthropic refuse the whole request.
"""

from __future__ import annotations

import json
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
    UpstreamError,
    Usage,
)
from playground.providers.errors import json_object, malformed, raise_for_status, transport_errors
from playground.providers.transport import endpoint, model_ids, request_json

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024  # Anthropic requires max_tokens; OpenAI-style callers often leave it out
JSON_INSTRUCTION = "Respond with a single JSON object."
_EXTRA_KEYS = frozenset({"top_k", "metadata", "service_tier"})
_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


class AnthropicProvider:
    kind: str = "anthropic"
    default_base_url: str | None = "https://api.anthropic.com"

    async def complete(self, client: httpx.AsyncClient, config: ProviderConfig, request: ChatRequest) -> ChatResult:
        url = endpoint(config, "/v1/messages")
        payload = await request_json(
            client, config, "POST", url, json=to_anthropic(request), headers=_headers(config), what="the answer"
        )
        try:
            return from_anthropic(payload, request.model)
        except (AttributeError, KeyError, TypeError) as exc:
            raise malformed(config, "a message of unexpected shape") from exc

    async def stream(
        self, client: httpx.AsyncClient, config: ProviderConfig, request: ChatRequest
    ) -> AsyncGenerator[StreamEvent, None]:
        url = endpoint(config, "/v1/messages")
        state = _StreamState(request.model)
        with transport_errors(config, url):
            # Inside the generator, so closing the generator closes the response (and the upstream request).
            async with client.stream(
                "POST", url, json={**to_anthropic(request), "stream": True}, headers=_headers(config)
            ) as response:
                await raise_for_status(response, config)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # every data payload carries its own "type", so event: lines add nothing
                    event = json_object(line[5:].strip(), config, what="a stream event")
                    try:
                        deltas = state.feed(event, config)
                    except (AttributeError, KeyError, TypeError) as exc:
                        raise malformed(config, "a stream event of unexpected shape") from exc
                    for delta in deltas:
                        yield delta
                    if state.done:
                        break
        if not state.done:
            raise malformed(config, "the stream ended before the answer was complete")
        yield StreamEnd(state.result())

    async def list_models(self, client: httpx.AsyncClient, config: ProviderConfig) -> list[str]:
        url = endpoint(config, "/v1/models")
        # One page of the maximum size holds every model Anthropic offers.
        payload = await request_json(
            client, config, "GET", url, params={"limit": 1000}, headers=_headers(config), what="the model list"
        )
        return model_ids(config, payload)


def _headers(config: ProviderConfig) -> dict[str, str]:
    headers = {"anthropic-version": API_VERSION}
    if config.api_key is not None:
        headers["x-api-key"] = config.api_key
    return headers


# --- canonical -> Anthropic ---------------------------------------------------------------------------------


def to_anthropic(request: ChatRequest) -> dict[str, Any]:
    """The Messages API body for a canonical request (without `stream`)."""
    system, messages = _convert_messages(request.messages)
    if request.response_format and request.response_format.get("type") in {"json_object", "json_schema"}:
        system.append(_json_instruction(request.response_format))
    body: dict[str, Any] = {key: value for key, value in request.extra.items() if key in _EXTRA_KEYS}
    body |= {
        "model": request.model,
        "messages": messages,
        "max_tokens": request.max_tokens if request.max_tokens is not None else DEFAULT_MAX_TOKENS,
        "system": "\n\n".join(system) or None,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "stop_sequences": request.stop or None,
    }
    if request.tools:
        body["tools"] = [_tool(tool) for tool in request.tools]
        body["tool_choice"] = _tool_choice(request.tool_choice)
    return {key: value for key, value in body.items() if value is not None}


def _json_instruction(response_format: dict[str, Any]) -> str:
    schema = (response_format.get("json_schema") or {}).get("schema")
    if schema is None:
        return JSON_INSTRUCTION
    return f"{JSON_INSTRUCTION} It must match this JSON Schema: {json.dumps(schema)}"


def _convert_messages(messages: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """(system texts, Anthropic messages). Tool results travel as user messages; consecutive ones are merged
    into one message, which is how Anthropic expects the results of parallel tool calls."""
    system: list[str] = []
    converted: list[dict[str, Any]] = []
    previous_was_tool = False
    for message in messages:
        role, content = message.get("role"), message.get("content")
        if role in {"system", "developer"}:  # "developer" is OpenAI's newer name for the system role
            text = _text(content)
            if text:
                system.append(text)
        elif role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id"),
                "content": _tool_content(content),
            }
            if previous_was_tool:
                converted[-1]["content"].append(block)
            else:
                converted.append({"role": "user", "content": [block]})
        elif role in {"user", "assistant"}:
            blocks = _content_blocks(content)
            if role == "assistant":
                blocks += [_tool_use(call) for call in message.get("tool_calls") or []]
            converted.append({"role": role, "content": _simplify(blocks)})
        previous_was_tool = role == "tool"
    return system, converted


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(block["text"] for block in _content_blocks(content) if block["type"] == "text")


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text" and part.get("text"):  # Anthropic refuses empty text blocks
            blocks.append({"type": "text", "text": part["text"]})
        elif part.get("type") == "image_url" and (image := _image(part.get("image_url"))):
            blocks.append(image)
        # Other parts (audio, files) have no Messages equivalent here: dropped rather than failing the request.
    return blocks


def _image(image_url: Any) -> dict[str, Any] | None:
    url = image_url.get("url") if isinstance(image_url, dict) else image_url
    if not isinstance(url, str):
        return None
    if url.startswith("data:"):
        header, _, data = url[5:].partition(",")
        media_type, _, encoding = header.partition(";")
        if encoding != "base64" or not data:
            return None
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    if url.startswith(("https://", "http://")):  # Anthropic fetches URL images itself
        return {"type": "image", "source": {"type": "url", "url": url}}
    return None


def _simplify(blocks: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """Plain text as a string (the common, most readable case in traces); anything richer as blocks."""
    if all(block["type"] == "text" for block in blocks) and len(blocks) <= 1:
        return blocks[0]["text"] if blocks else ""
    return blocks


def _tool_content(content: Any) -> str | list[dict[str, Any]]:
    return content if isinstance(content, str) else _content_blocks(content)


def _tool_use(call: dict[str, Any]) -> dict[str, Any]:
    function = call.get("function") or {}
    raw = function.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        arguments = None
    if not isinstance(arguments, dict):  # Anthropic's input must be an object; keep what the model produced
        arguments = {"_raw": raw}
    return {"type": "tool_use", "id": call.get("id"), "name": function.get("name"), "input": arguments}


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    function = tool.get("function") or {}
    converted = {"name": function.get("name"), "input_schema": function.get("parameters") or {"type": "object"}}
    if function.get("description"):
        converted["description"] = function["description"]
    return converted


def _tool_choice(choice: Any) -> dict[str, Any] | None:
    if choice == "auto":
        return {"type": "auto"}
    if choice == "required":
        return {"type": "any"}
    if choice == "none":
        return {"type": "none"}
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"type": "tool", "name": choice["function"].get("name")}
    return None  # unset or unknown: Anthropic's default (auto)


# --- Anthropic -> canonical ---------------------------------------------------------------------------------


def from_anthropic(payload: dict[str, Any], model: str) -> ChatResult:
    text = "".join(block["text"] for block in payload["content"] if block.get("type") == "text")
    calls = [
        _tool_call(block["id"], block["name"], json.dumps(block.get("input") or {}))
        for block in payload["content"]
        if block.get("type") == "tool_use"
    ]
    usage = payload.get("usage") or {}
    return ChatResult(
        message=_message(text, calls),
        finish_reason=_FINISH_REASONS.get(payload.get("stop_reason") or ""),
        usage=Usage(input_tokens=usage.get("input_tokens") or 0, output_tokens=usage.get("output_tokens") or 0),
        model=payload.get("model") or model,
        raw_id=payload.get("id"),
    )


def _tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _message(text: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else "")}
    if calls:
        message["tool_calls"] = calls
    return message


class _StreamState:
    """Follows Anthropic's event sequence, passing deltas on and assembling the final result."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.raw_id: str | None = None
        self.text: list[str] = []
        self.calls: list[dict[str, str]] = []  # canonical tool call index -> {id, name, arguments}
        self.call_of_block: dict[int, int] = {}  # Anthropic content block index -> tool call index
        self.stop_reason: str | None = None
        self.usage = Usage()
        self.done = False

    def feed(self, event: dict[str, Any], config: ProviderConfig) -> list[StreamEvent]:
        kind = event.get("type")
        if kind == "message_start":
            message = event["message"]
            self.raw_id, self.model = message.get("id"), message.get("model") or self.model
            self._count(message.get("usage"))
        elif kind == "content_block_start":
            return self._block_start(event["index"], event["content_block"])
        elif kind == "content_block_delta":
            return self._block_delta(event["index"], event["delta"])
        elif kind == "message_delta":
            self.stop_reason = event["delta"].get("stop_reason") or self.stop_reason
            self._count(event.get("usage"))
        elif kind == "message_stop":
            self.done = True
        elif kind == "error":  # overloaded and the like, reported after the 200
            error = event.get("error") or {}
            rate_limited = error.get("type") == "rate_limit_error"
            detail = str(error.get("message") or error.get("type") or "unknown error")[:300]
            raise UpstreamError(
                "rate_limited" if rate_limited else "upstream_error", f"{config.name}: the stream failed ({detail})"
            )
        return []  # ping, content_block_stop, and event types added after this was written

    def _count(self, usage: Any) -> None:
        # message_start carries the input tokens, message_delta the (cumulative) output tokens.
        if isinstance(usage, dict):
            self.usage.input_tokens = usage.get("input_tokens") or self.usage.input_tokens
            self.usage.output_tokens = usage.get("output_tokens") or self.usage.output_tokens

    def _block_start(self, index: int, block: dict[str, Any]) -> list[StreamEvent]:
        if block.get("type") == "tool_use":
            self.call_of_block[index] = len(self.calls)
            self.calls.append({"id": block["id"], "name": block["name"], "arguments": ""})
            return [ToolCallDelta(index=self.call_of_block[index], id=block["id"], name=block["name"])]
        if block.get("type") == "text" and block.get("text"):
            self.text.append(block["text"])
            return [TextDelta(block["text"])]
        return []

    def _block_delta(self, index: int, delta: dict[str, Any]) -> list[StreamEvent]:
        if delta.get("type") == "text_delta" and delta.get("text"):
            self.text.append(delta["text"])
            return [TextDelta(delta["text"])]
        if delta.get("type") == "input_json_delta" and index in self.call_of_block:
            call_index = self.call_of_block[index]
            self.calls[call_index]["arguments"] += delta.get("partial_json") or ""
            return [ToolCallDelta(index=call_index, arguments=delta.get("partial_json") or "")]
        return []  # thinking and signature deltas are not part of the canonical answer

    def result(self) -> ChatResult:
        # A tool without parameters streams no input_json_delta at all: its arguments are an empty object.
        calls = [_tool_call(call["id"], call["name"], call["arguments"] or "{}") for call in self.calls]
        return ChatResult(
            message=_message("".join(self.text), calls),
            finish_reason=_FINISH_REASONS.get(self.stop_reason or ""),
            usage=self.usage,
            model=self.model,
            raw_id=self.raw_id,
        )
