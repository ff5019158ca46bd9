"""The provider seam: every model API is one small module that turns our canonical chat request
into its wire request and its answers (whole or streamed) back into canonical results.

Canonical = the OpenAI Chat Completions shapes, the lingua franca most servers (vLLM, llama.cpp,
Ollama, LiteLLM) already speak:

- messages: [{"role": "system"|"user"|"assistant"|"tool", "content": str | [parts] | None,
  "tool_calls"?: [{"id", "type": "function", "function": {"name", "arguments": str}}],
  "tool_call_id"?: str, "name"?: str}]
- tools: [{"type": "function", "function": {"name", "description"?, "parameters"?}}]
- the result's message is an assistant message of that same shape.

A provider never opens connections itself: it gets the one shared `httpx.AsyncClient` (explicit
timeouts, egress checks already done on the base URL) and raises `UpstreamError` for anything the
upstream answers that is not a success, with a kind the API maps to a clear error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx

UpstreamErrorKind = Literal[
    "auth",  # the provider refused the API key (401/403)
    "rate_limited",  # 429
    "model_not_found",  # 404 / unknown model
    "bad_request",  # the provider refused the request (400/409/413/422, other 4xx), e.g. an unsupported parameter
    "timeout",  # connect or read timeout
    "unreachable",  # connection refused, DNS failure, TLS failure
    "upstream_error",  # 5xx or an answer we cannot parse
]


class UpstreamError(Exception):
    """A provider call that did not succeed. `message` is the provider's own explanation as plain
    text (never HTML: providers extract it from their JSON error shape, or summarise), at most
    500 characters."""

    def __init__(
        self, kind: UpstreamErrorKind, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        self.message = message[:500]
        super().__init__(self.message)  # str(error) is the same bounded text as .message
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class ProviderConfig:
    """One configured provider of a workspace, with its decrypted key (None for keyless servers)."""

    kind: str  # "openai" | "anthropic" | "openai_compatible"
    name: str
    base_url: str  # always set: the provider's default or the configured one, no trailing slash
    api_key: str | None


@dataclass
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    stop: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None  # "auto" | "none" | "required" | {"type": "function", "function": {"name"}}
    response_format: dict[str, Any] | None = None  # {"type": "json_object"} | {"type": "json_schema", ...}
    # Anything else the caller passed (seed, presence_penalty, ...), forwarded where the API has it.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass
class ChatResult:
    message: dict[str, Any]  # canonical assistant message
    finish_reason: str | None  # "stop" | "length" | "tool_calls" | "content_filter" | None
    usage: Usage
    model: str  # as the provider reports it
    raw_id: str | None = None  # the provider's response id


@dataclass
class TextDelta:
    text: str


@dataclass
class ToolCallDelta:
    """A piece of a streamed tool call; `index` identifies the call, `id`/`name` arrive first."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass
class StreamEnd:
    """The last event of every successful stream: the whole result, as complete() would give."""

    result: ChatResult


StreamEvent = TextDelta | ToolCallDelta | StreamEnd


class Provider(Protocol):
    kind: str
    default_base_url: str | None  # None: a base URL must be configured (openai_compatible)

    async def complete(self, client: httpx.AsyncClient, config: ProviderConfig, request: ChatRequest) -> ChatResult: ...

    def stream(
        self, client: httpx.AsyncClient, config: ProviderConfig, request: ChatRequest
    ) -> AsyncGenerator[StreamEvent, None]:
        """Yields deltas as they arrive, then exactly one StreamEnd. Closing the generator early
        (`aclose()`: the caller went away) must close the upstream response, which cancels the request."""
        ...

    async def list_models(self, client: httpx.AsyncClient, config: ProviderConfig) -> list[str]: ...
