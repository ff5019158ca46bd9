"""Playground providers against a real local model server (tests/support/model_server.py): wire requests, results,
streams, tool calls, error mapping, timeouts, unreachable hosts and cancellation. No stack needed.

A few cases the fake server cannot produce (a malformed SSE line, an error event mid-stream, Anthropic's
model list) use httpx.MockTransport instead.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from playground.providers import PROVIDERS, provider_for
from playground.providers.anthropic import JSON_INSTRUCTION, AnthropicProvider, to_anthropic
from playground.providers.base import (
    ChatRequest,
    ChatResult,
    Provider,
    ProviderConfig,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UpstreamError,
)
from playground.providers.errors import MAX_ERROR_BODY, error_from_response, read_error_body
from playground.providers.openai import OpenAICompatibleProvider, OpenAIProvider
from tests.support.model_server import TOOL_ARGUMENT_PIECES, TOOL_ARGUMENTS, ModelServer

T = TypeVar("T")
FLAVOURS = ["openai", "openai_compatible", "anthropic"]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    with ModelServer(slow_seconds=3.0, token_delay=0.005) as server:
        yield server


@pytest.fixture
def server(model_server: ModelServer) -> ModelServer:
    model_server.reset()
    return model_server


def provider_and_config(server: ModelServer, flavour: str) -> tuple[Provider, ProviderConfig]:
    if flavour == "anthropic":
        return AnthropicProvider(), ProviderConfig("anthropic", "anthropic", server.url, "sk-test-anthropic")
    if flavour == "openai":
        return OpenAIProvider(), ProviderConfig("openai", "openai", server.url + "/v1", "sk-test-openai")
    # The fake server always wants a key; keyless requests are covered by test_compatible_without_key.
    return OpenAICompatibleProvider(), ProviderConfig(
        "openai_compatible", "local", server.url + "/v1", "sk-test-openai"
    )


def run(action: Callable[[httpx.AsyncClient], Awaitable[T]], *, timeout: float = 5.0, **client: Any) -> T:
    async def main() -> T:
        async with httpx.AsyncClient(timeout=timeout, **client) as http:
            return await action(http)

    return asyncio.run(main())


def complete(provider: Provider, config: ProviderConfig, request: ChatRequest, **client: Any) -> ChatResult:
    return run(lambda http: provider.complete(http, config, request), **client)


def stream(provider: Provider, config: ProviderConfig, request: ChatRequest, **client: Any) -> list[StreamEvent]:
    async def collect(http: httpx.AsyncClient) -> list[StreamEvent]:
        return [event async for event in provider.stream(http, config, request)]

    return run(collect, **client)


def chat(text: str, model: str = "echo-small", **options: Any) -> ChatRequest:
    return ChatRequest(model=model, messages=[{"role": "user", "content": text}], **options)


def last_body(server: ModelServer) -> dict[str, Any]:
    return server.requests[-1]["body"]


def final(events: list[StreamEvent]) -> ChatResult:
    """The StreamEnd's result, checking it is the one and only last event."""
    ends = [event for event in events if isinstance(event, StreamEnd)]
    assert len(ends) == 1
    assert events[-1] is ends[0]
    return ends[0].result


# --- registry ------------------------------------------------------------------------------------------------


def test_registry() -> None:
    assert set(PROVIDERS) == {"openai", "openai_compatible", "anthropic"}
    for kind, provider in PROVIDERS.items():
        assert provider_for(kind) is provider
        assert provider.kind == kind
    assert provider_for("openai").default_base_url == "https://api.openai.com/v1"
    assert provider_for("anthropic").default_base_url == "https://api.anthropic.com"
    assert provider_for("openai_compatible").default_base_url is None
    with pytest.raises(ValueError, match="anthropic, openai, openai_compatible"):
        provider_for("gemini")


# --- success paths, every flavour ----------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_complete(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    result = complete(provider, config, chat("hello there", temperature=0.2))
    assert result.message == {"role": "assistant", "content": "echo: hello there"}
    assert result.finish_reason == "stop"
    assert result.usage.input_tokens == 2
    assert result.usage.output_tokens == 3
    assert result.model == "echo-small"
    assert result.raw_id
    assert last_body(server)["temperature"] == 0.2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_stream(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    events = stream(provider, config, chat("one two three four"))
    texts = [event.text for event in events if isinstance(event, TextDelta)]
    assert len(texts) == 5  # the server sends one chunk per word: deltas arrive as they come
    result = final(events)
    assert "".join(texts) == result.message["content"] == "echo: one two three four"
    assert result.finish_reason == "stop"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (4, 5)
    assert result.model == "echo-small"
    assert last_body(server)["stream"] is True


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tool_call_complete(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    result = complete(provider, config, chat("what is the weather in Paris?", tools=[WEATHER_TOOL]))
    assert result.finish_reason == "tool_calls"
    assert result.message["content"] is None
    [call] = result.message["tool_calls"]
    assert call["type"] == "function"
    assert call["id"]
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tool_call_stream(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    events = stream(provider, config, chat("weather please", tools=[WEATHER_TOOL], tool_choice="auto"))
    deltas = [event for event in events if isinstance(event, ToolCallDelta)]
    assert deltas[0].id and deltas[0].name == "get_weather"
    assert {delta.index for delta in deltas} == {0}
    assert [delta.arguments for delta in deltas if delta.arguments] == list(TOOL_ARGUMENT_PIECES)
    result = final(events)
    assert result.finish_reason == "tool_calls"
    [call] = result.message["tool_calls"]
    assert call["id"] == deltas[0].id
    assert call["function"] == {"name": "get_weather", "arguments": TOOL_ARGUMENTS}
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_stop_and_max_tokens(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    stopped = complete(provider, config, chat("hello world again", stop=["world"]))
    assert stopped.message["content"] == "echo: hello "
    assert stopped.finish_reason == "stop"
    sent = last_body(server)
    assert sent["stop_sequences" if flavour == "anthropic" else "stop"] == ["world"]

    cut = complete(provider, config, chat("hello world again", max_tokens=2))
    assert cut.message["content"] == "echo: hello"
    assert cut.finish_reason == "length"
    assert last_body(server)["max_tokens"] == 2

    streamed = final(stream(provider, config, chat("hello world again", max_tokens=2)))
    assert streamed.finish_reason == "length"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_json_response_format(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    result = complete(provider, config, chat("hi", response_format={"type": "json_object"}))
    sent = last_body(server)
    if flavour == "anthropic":  # no wire equivalent: an instruction in the system prompt
        assert sent["system"] == JSON_INSTRUCTION
        assert "response_format" not in sent
    else:
        assert sent["response_format"] == {"type": "json_object"}
        assert json.loads(result.message["content"]) == {"echo": "hi"}


# --- what goes on the wire -----------------------------------------------------------------------------------


def test_openai_request_body(server: ModelServer) -> None:
    provider, config = provider_and_config(server, "openai")
    request = chat("hi", max_tokens=50, tools=[WEATHER_TOOL], tool_choice="none", extra={"seed": 7, "model": "x"})
    stream(provider, config, request)
    sent = server.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["authorization"] == "Bearer sk-test-openai"
    body = sent["body"]
    assert body["model"] == "echo-small"  # a named field wins over the same key in extra
    assert body["seed"] == 7
    assert body["max_tokens"] == 50
    assert "max_completion_tokens" not in body
    assert body["tools"] == [WEATHER_TOOL]
    assert body["tool_choice"] == "none"
    assert body["stream_options"] == {"include_usage": True}
    for omitted in ("temperature", "top_p", "stop", "response_format"):
        assert omitted not in body


def test_compatible_without_key(server: ModelServer) -> None:
    """No key configured: no Authorization header at all. The fake server has no keyless mode, so the
    request is refused; the error says a key is needed."""
    config = ProviderConfig("openai_compatible", "local", server.url + "/v1", None)
    with pytest.raises(UpstreamError) as caught:
        complete(OpenAICompatibleProvider(), config, chat("hi"))
    assert "authorization" not in server.requests[-1]["headers"]
    assert caught.value.kind == "auth"
    assert caught.value.message.startswith("local: the server requires an API key")


def test_anthropic_request_conversion(server: ModelServer) -> None:
    image = "data:image/png;base64,iVBORw0KGgo="
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Use metric units."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "weather here?"},
                {"type": "image_url", "image_url": {"url": image}},
                {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},  # no equivalent: skipped
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                },
                {"id": "call_b", "type": "function", "function": {"name": "get_weather", "arguments": "{not json"}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "3 C"},
        {"role": "tool", "tool_call_id": "call_b", "content": [{"type": "text", "text": "unknown"}]},
    ]
    request = ChatRequest(
        model="echo-small", messages=messages, stop=["END"], tools=[WEATHER_TOOL], tool_choice="required"
    )
    result = complete(AnthropicProvider(), provider_and_config(server, "anthropic")[1], request)
    assert result.message["content"] == "echo: weather here?"  # after tool results the model answers

    sent = server.requests[-1]
    assert sent["path"] == "/v1/messages"
    assert sent["headers"]["x-api-key"] == "sk-test-anthropic"
    assert sent["headers"]["anthropic-version"] == "2023-06-01"
    body = sent["body"]
    assert body["system"] == "Be brief.\n\nUse metric units."
    assert body["max_tokens"] == 1024
    assert body["stop_sequences"] == ["END"]
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Current weather",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
        }
    ]
    assert body["tool_choice"] == {"type": "any"}
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "weather here?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "call_a", "name": "get_weather", "input": {"city": "Oslo"}},
                {"type": "tool_use", "id": "call_b", "name": "get_weather", "input": {"_raw": "{not json"}},
            ],
        },
        {  # consecutive tool messages: one user message of tool results
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_a", "content": "3 C"},
                {"type": "tool_result", "tool_use_id": "call_b", "content": [{"type": "text", "text": "unknown"}]},
            ],
        },
    ]


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ("auto", {"type": "auto"}),
        ("required", {"type": "any"}),
        ("none", {"type": "none"}),
        ({"type": "function", "function": {"name": "get_weather"}}, {"type": "tool", "name": "get_weather"}),
        (None, None),
    ],
)
def test_anthropic_tool_choice(tool_choice: Any, expected: dict[str, str] | None) -> None:
    body = to_anthropic(chat("hi", tools=[{"type": "function", "function": {"name": "f"}}], tool_choice=tool_choice))
    assert body["tools"] == [{"name": "f", "input_schema": {"type": "object"}}]
    assert body.get("tool_choice") == expected


def test_anthropic_tool_choice_none_is_honoured(server: ModelServer) -> None:
    provider, config = provider_and_config(server, "anthropic")
    result = complete(provider, config, chat("weather?", tools=[WEATHER_TOOL], tool_choice="none"))
    assert "tool_calls" not in result.message
    assert result.finish_reason == "stop"


def test_anthropic_json_schema_and_extras() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    request = ChatRequest(
        model="m",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
        response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
        extra={"top_k": 5, "seed": 1},
    )
    body = to_anthropic(request)
    assert body["system"].startswith(f"Be brief.\n\n{JSON_INSTRUCTION}")
    assert json.dumps(schema) in body["system"]
    assert body["top_k"] == 5
    assert "seed" not in body  # OpenAI-only: Anthropic would refuse the request
    assert body["messages"] == [{"role": "user", "content": "hi"}]


# --- errors --------------------------------------------------------------------------------------------------

TRIGGERS = [
    ("error-401", "auth", 401),
    ("error-429", "rate_limited", 429),
    ("error-404", "model_not_found", 404),
    ("missing-model", "model_not_found", 404),
    ("error-500", "upstream_error", 500),
    ("html-error", "upstream_error", 502),
]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("model", "kind", "status"), TRIGGERS)
def test_error_triggers(server: ModelServer, flavour: str, model: str, kind: str, status: int) -> None:
    provider, config = provider_and_config(server, flavour)
    with pytest.raises(UpstreamError) as completed:
        complete(provider, config, chat("hi", model=model))

    seen: list[StreamEvent] = []

    async def consume(http: httpx.AsyncClient) -> None:
        async for event in provider.stream(http, config, chat("hi", model=model)):
            seen.append(event)

    with pytest.raises(UpstreamError) as streamed:
        run(consume)
    assert seen == []  # the error status is detected before anything is yielded

    for error in (completed.value, streamed.value):
        assert (error.kind, error.status) == (kind, status)
        assert error.message.startswith(f"{config.name}: ")
        assert "<script>" not in error.message
        assert "<html" not in error.message
        assert error.retry_after == (1.0 if kind == "rate_limited" else None)


def test_error_messages_name_the_cause(server: ModelServer) -> None:
    provider, config = provider_and_config(server, "openai")
    bad_key = ProviderConfig("openai", "openai", config.base_url, "sk-wrong")
    with pytest.raises(UpstreamError) as caught:
        complete(provider, bad_key, chat("hi"))
    assert caught.value.message == "openai: the API key was rejected (Incorrect API key provided)"

    with pytest.raises(UpstreamError) as caught:
        complete(provider, config, chat("hi", model="missing-x"))
    assert caught.value.message == "openai: model not found (The model `missing-x` does not exist)"

    with pytest.raises(UpstreamError) as caught:
        complete(provider, config, chat("hi", model="html-error"))
    assert caught.value.message == "openai: the server failed (HTTP 502)"

    anthropic, anthropic_config = provider_and_config(server, "anthropic")
    with pytest.raises(UpstreamError) as caught:
        complete(anthropic, anthropic_config, chat("hi", model="error-429"))
    assert caught.value.message == (
        "anthropic: rate limited, retry after 1s (Number of requests has exceeded your rate limit)"
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_wrong_base_url(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    wrong = ProviderConfig(config.kind, config.name, server.url + "/nope", config.api_key)
    with pytest.raises(UpstreamError) as caught:
        complete(provider, wrong, chat("hi"))
    assert caught.value.kind == "upstream_error"
    assert caught.value.status == 404
    assert "not found at the configured base URL" in caught.value.message


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_timeout(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    for call in (complete, stream):
        with pytest.raises(UpstreamError) as caught:
            call(provider, config, chat("hi", model="slow"), timeout=0.3)
        assert caught.value.kind == "timeout"
        assert caught.value.message.startswith(f"{config.name}: 127.0.0.1:{server.port} did not answer in time")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unreachable(flavour: str) -> None:
    port = closed_port()
    provider = provider_for(flavour)
    config = ProviderConfig(flavour, "p", f"http://127.0.0.1:{port}" + ("" if flavour == "anthropic" else "/v1"), "k")
    for call in (complete, stream):
        with pytest.raises(UpstreamError) as caught:
            call(provider, config, chat("hi"))
        assert caught.value.kind == "unreachable"
        assert caught.value.message.startswith(f"p: could not connect to 127.0.0.1:{port}: ")
    with pytest.raises(UpstreamError, match="could not connect"):
        run(lambda http: provider.list_models(http, config))


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_cancelling_a_stream_closes_the_upstream_request(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)

    async def take_a_few(http: httpx.AsyncClient) -> list[StreamEvent]:
        events = provider.stream(http, config, chat("go on", model="endless"))
        taken = [await anext(events) for _ in range(5)]
        await events.aclose()  # what the API does when its client goes away
        return taken

    taken = run(take_a_few)
    assert all(isinstance(event, TextDelta) for event in taken[1:])
    assert server.wait_for_disconnect()


# --- model lists ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["openai", "openai_compatible"])
def test_list_models(server: ModelServer, flavour: str) -> None:
    provider, config = provider_and_config(server, flavour)
    assert run(lambda http: provider.list_models(http, config)) == ["echo-small", "echo-large"]
    assert server.requests[-1]["path"] == "/v1/models"


def test_anthropic_list_models(server: ModelServer) -> None:
    provider, config = provider_and_config(server, "anthropic")
    # The fake server's GET /v1/models only knows OpenAI keys (Bearer), so check the request it received...
    with pytest.raises(UpstreamError) as caught:
        run(lambda http: provider.list_models(http, config))
    assert caught.value.kind == "auth"
    sent = server.requests[-1]
    assert (sent["path"], sent["headers"]["x-api-key"], sent["headers"]["anthropic-version"]) == (
        "/v1/models",
        "sk-test-anthropic",
        "2023-06-01",
    )

    # ... and the parsing of Anthropic's own answer shape against a mock.
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/models"
        models = [{"type": "model", "id": "claude-a", "display_name": "A"}, {"type": "model", "id": "claude-b"}]
        return httpx.Response(200, json={"data": models, "has_more": False, "first_id": "claude-a"})

    mocked = ProviderConfig("anthropic", "anthropic", "https://api.anthropic.test", "k")
    ids = run(lambda http: provider.list_models(http, mocked), transport=httpx.MockTransport(answer))
    assert ids == ["claude-a", "claude-b"]


# --- broken answers (httpx.MockTransport: the fake server never sends these) ---------------------------------


def sse(*lines: str) -> httpx.MockTransport:
    body = "".join(line + "\n" for line in lines).encode()
    return httpx.MockTransport(
        lambda _request: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    )


MOCK_OPENAI = ProviderConfig("openai", "openai", "https://api.openai.test/v1", "k")
MOCK_ANTHROPIC = ProviderConfig("anthropic", "anthropic", "https://api.anthropic.test", "k")
OPENAI_CHUNK = 'data: {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"content": "hi"}}]}'


@pytest.mark.parametrize(
    ("provider", "config", "lines", "detail"),
    [
        (OpenAIProvider(), MOCK_OPENAI, [OPENAI_CHUNK, "", "data: {not json"], "not valid JSON"),
        (OpenAIProvider(), MOCK_OPENAI, [OPENAI_CHUNK, "", 'data: {"error": {"message": "boom"}}'], "boom"),
        (OpenAIProvider(), MOCK_OPENAI, [OPENAI_CHUNK, ""], "ended before the answer was complete"),
        (OpenAIProvider(), MOCK_OPENAI, ["data: [1, 2]"], "not a JSON object"),
        (
            AnthropicProvider(),
            MOCK_ANTHROPIC,
            ["event: error", 'data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'],
            "the stream failed (Overloaded)",
        ),
        (AnthropicProvider(), MOCK_ANTHROPIC, ["event: ping", "data: {oops"], "not valid JSON"),
        (
            AnthropicProvider(),
            MOCK_ANTHROPIC,
            ['data: {"type": "message_start", "message": {"id": "m1", "usage": {"input_tokens": 1}}}'],
            "ended before the answer was complete",
        ),
    ],
)
def test_broken_streams(provider: Provider, config: ProviderConfig, lines: list[str], detail: str) -> None:
    with pytest.raises(UpstreamError) as caught:
        stream(provider, config, chat("hi"), transport=sse(*lines))
    assert caught.value.kind == "upstream_error"
    assert detail in caught.value.message


def test_openai_stream_without_usage_or_done() -> None:
    """A server that ignores stream_options and ends after the finish chunk, without [DONE]."""
    finish = 'data: {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}'
    events = stream(OpenAIProvider(), MOCK_OPENAI, chat("hi"), transport=sse(OPENAI_CHUNK, "", finish, ""))
    result = final(events)
    assert result.message == {"role": "assistant", "content": "hi"}
    assert (result.usage.input_tokens, result.usage.output_tokens) == (0, 0)


def test_success_with_unparseable_body() -> None:
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, text="<html>hello</html>"))
    for provider, config in ((OpenAIProvider(), MOCK_OPENAI), (AnthropicProvider(), MOCK_ANTHROPIC)):
        with pytest.raises(UpstreamError) as caught:
            complete(provider, config, chat("hi"), transport=transport)
        assert caught.value.kind == "upstream_error"
        assert "<html>" not in caught.value.message


# --- error mapping units -------------------------------------------------------------------------------------


def mapped(
    status: int, body: bytes | str, headers: dict[str, str] | None = None, api_key: str | None = "k"
) -> UpstreamError:
    request = httpx.Request("POST", "https://models.test/v1/chat/completions")
    response = httpx.Response(status, headers=headers, request=request)
    config = ProviderConfig("openai_compatible", "local", "https://models.test/v1", api_key)
    return error_from_response(response, config, body=body.encode() if isinstance(body, str) else body)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "bad_request"), (403, "auth"), (409, "bad_request"), (413, "bad_request"), (418, "bad_request"),
     (422, "bad_request"), (503, "upstream_error")],
)  # fmt: skip
def test_status_kinds(status: int, kind: str) -> None:
    assert mapped(status, "{}").kind == kind


def test_message_extraction() -> None:
    assert mapped(400, '{"error": {"message": "bad  \\n temperature"}}').message == (
        "local: the request was refused (bad temperature)"
    )
    assert mapped(400, '{"error": "unsupported field"}').message == "local: the request was refused (unsupported field)"
    assert mapped(422, '{"detail": "max_tokens too big"}').message.endswith("(max_tokens too big)")
    assert mapped(500, '{"status": "broken"}').message == "local: the server failed (HTTP 500)"  # JSON, no message
    assert mapped(502, "<html><script>alert(1)</script></html>").message == "local: the server failed (HTTP 502)"
    assert mapped(401, "{}", api_key=None).message.startswith("local: the server requires an API key")
    # Ollama's missing model, and a FastAPI server's unknown path.
    assert mapped(404, '{"error": "model \\"llama9\\" not found, try pulling it first"}').kind == "model_not_found"
    not_found = mapped(404, '{"detail": "Not Found"}')
    assert (not_found.kind, not_found.message) == (
        "upstream_error",
        "local: /v1/chat/completions not found at the configured base URL https://models.test/v1",
    )
    assert len(mapped(400, json.dumps({"error": {"message": "x" * 5000}})).message) <= 500


def test_retry_after() -> None:
    assert mapped(429, "{}", {"Retry-After": "7"}).retry_after == 7.0
    assert mapped(429, "{}", {"Retry-After": "2", "retry-after-ms": "1500"}).retry_after == 1.5
    assert mapped(429, "{}", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}).retry_after == 0.0  # in the past
    assert mapped(429, "{}", {"Retry-After": "soon"}).retry_after is None
    assert mapped(429, "{}").retry_after is None


def test_error_body_is_bounded() -> None:
    async def read() -> bytes:
        chunks = [b"x" * 10_000] * 100  # 1 MB, streamed

        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return await read_error_body(httpx.Response(500, content=body()))

    assert len(asyncio.run(read())) == MAX_ERROR_BODY
