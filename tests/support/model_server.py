"""A small, real HTTP model server that imitates the OpenAI and Anthropic APIs, the upstream in playground tests.

It listens on 127.0.0.1 (a free port) in a background thread and uses only the standard library, so tests can
point the real ``openai`` / ``anthropic`` SDKs, or the playground's own HTTP client, at ``server.url``::

    with ModelServer() as server:
        client = OpenAI(base_url=server.url + "/v1", api_key="sk-test-openai")
        client.chat.completions.create(model="echo-small", messages=[{"role": "user", "content": "hi"}])

Endpoints:
    POST /v1/chat/completions (or /chat/completions)  OpenAI Chat Completions, JSON or SSE (``stream``)
    POST /v1/messages                                 Anthropic Messages, JSON or SSE (``stream``)
    GET  /v1/models (or /models)                      OpenAI model list: echo-small, echo-large

Replies are deterministic: the text is ``"echo: " + <last user message>`` (``{"echo": ...}`` JSON text under a json
``response_format``), cut at the first stop string, then at ``max_tokens`` words; usage counts words. Given tools,
a new user message containing "weather" gets one call to the first tool with ``{"city": "Paris"}`` (unless
``tool_choice`` is none). Streams send one chunk per word, ``token_delay`` seconds apart.

Model names that trigger behaviour, on both APIs, with each API's own error JSON:
    error-401            401 authentication error (as does a key outside ``valid_keys`` / ``valid_anthropic_keys``;
                         Anthropic takes ``x-api-key`` or ``Authorization: Bearer``)
    error-429            429 rate limit, with ``Retry-After: 1``
    error-404, missing*  404 model not found
    error-500            500 server error
    html-error           502 with an HTML body containing ``<script>alert(1)</script>``
    slow                 sleeps ``slow_seconds`` before answering
    endless              when streamed, sends words until the client disconnects (counted in ``disconnects``)
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

MODEL_IDS = ("echo-small", "echo-large")
TOOL_ARGUMENTS = '{"city": "Paris"}'
TOOL_ARGUMENT_PIECES = ('{"city', '": "Par', 'is"}')  # how a streamed tool call sends TOOL_ARGUMENTS
HTML_ERROR_BODY = "<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>"

_TRIGGERS = {"error-401": 401, "error-429": 429, "error-404": 404, "error-500": 500, "html-error": 502}
_ERRORS = {  # status -> (OpenAI type, OpenAI code, Anthropic type)
    400: ("invalid_request_error", None, "invalid_request_error"),
    401: ("invalid_request_error", "invalid_api_key", "authentication_error"),
    404: ("invalid_request_error", "model_not_found", "not_found_error"),
    429: ("rate_limit_exceeded", "rate_limit_exceeded", "rate_limit_error"),
    500: ("server_error", None, "api_error"),
}
_MESSAGES = {  # status -> (OpenAI message, Anthropic message)
    401: ("Incorrect API key provided", "invalid x-api-key"),
    404: ("The model `{model}` does not exist", "model: {model}"),
    429: ("Rate limit reached for requests", "Number of requests has exceeded your rate limit"),
    500: ("The server had an error while processing your request.", "Internal server error"),
}
_ANTHROPIC_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


class _Stopping(Exception):
    """The server is shutting down: abandon the response."""


def _text_of(content: Any) -> str:
    """The text of message content: a string, or a list of parts/blocks whose text parts are joined by spaces."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _words(text: str) -> list[str]:
    """Words with their trailing whitespace, so that joining them gives back ``text`` (which starts non-blank)."""
    return re.findall(r"\S+\s*", text)


def _first_tool_name(tools: Any) -> str | None:
    """The first tool's name, from OpenAI's ``{"function": {"name"}}`` or Anthropic's ``{"name"}`` shape."""
    if not isinstance(tools, list) or not tools or not isinstance(tools[0], dict):
        return None
    tool = tools[0]
    name = tool["function"].get("name") if isinstance(tool.get("function"), dict) else tool.get("name")
    return name if isinstance(name, str) else None


@dataclass
class _Reply:
    text: str | None  # None for a tool call
    tool_name: str | None
    finish: str  # OpenAI's vocabulary: "stop", "length" or "tool_calls"
    stop_sequence: str | None
    prompt_tokens: int

    @property
    def completion_tokens(self) -> int:
        return len(_words(TOOL_ARGUMENTS if self.text is None else self.text))

    def stream_pieces(self, *, endless: bool) -> Iterable[str]:
        """One piece per stream chunk; forever (the words repeated) for the "endless" model."""
        pieces = _words(self.text or "")
        if not endless:
            return pieces
        return itertools.cycle([piece.rstrip() + " " for piece in pieces] or ["echo "])


def _compose_reply(
    messages: list[dict[str, Any]],
    *,
    system: str = "",
    tool_name: str | None,
    json_mode: bool,
    stops: list[str],
    max_tokens: int | None,
) -> _Reply:
    texts = [_text_of(message.get("content")) for message in messages]
    prompt_tokens = len(system.split()) + sum(len(text.split()) for text in texts)
    user_texts = [text for message, text in zip(messages, texts, strict=True) if message.get("role") == "user" and text]
    last = user_texts[-1] if user_texts else ""
    # Only a new question calls the tool: after a tool result the model answers, so agent loops end.
    new_question = messages[-1].get("role") == "user" and bool(texts[-1])
    if tool_name and new_question and re.search(r"\bweather\b", last, re.IGNORECASE):
        return _Reply(None, tool_name, "tool_calls", None, prompt_tokens)
    text = json.dumps({"echo": last}) if json_mode else "echo: " + last
    finish, stop_sequence = "stop", None
    hits = [(text.find(stop), stop) for stop in stops if stop and stop in text]
    if hits:
        index, stop_sequence = min(hits)
        text = text[:index]
    words = _words(text)
    if max_tokens is not None and len(words) > max_tokens:
        text, finish, stop_sequence = "".join(words[:max_tokens]).rstrip(), "length", None
    return _Reply(text, None, finish, stop_sequence, prompt_tokens)


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


def _openai_usage(reply: _Reply) -> dict[str, int]:
    prompt, completion = reply.prompt_tokens, reply.completion_tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _openai_completion(reply: _Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text, "refusal": None}
    if reply.tool_name:
        function = {"name": reply.tool_name, "arguments": TOOL_ARGUMENTS}
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": function}]
    return {
        "id": _new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish}],
        "usage": _openai_usage(reply),
    }


def _openai_chunks(reply: _Reply, model: str, *, include_usage: bool, endless: bool) -> Iterator[bytes]:
    head = {"id": _new_id("chatcmpl-"), "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return b"data: %s\n\n" % json.dumps({**head, "choices": [choice]}).encode()

    if reply.tool_name:
        yield chunk({"role": "assistant", "content": None})
        function = {"name": reply.tool_name, "arguments": ""}
        yield chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": function}]})
        for piece in TOOL_ARGUMENT_PIECES:
            yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
    else:
        yield chunk({"role": "assistant", "content": ""})
        for piece in reply.stream_pieces(endless=endless):
            yield chunk({"content": piece})
    yield chunk({}, reply.finish)
    if include_usage:
        yield b"data: %s\n\n" % json.dumps({**head, "choices": [], "usage": _openai_usage(reply)}).encode()
    yield b"data: [DONE]\n\n"


def _anthropic_message(reply: _Reply, model: str) -> dict[str, Any]:
    content: list[dict[str, Any]]
    if reply.tool_name:
        content = [{"type": "tool_use", "id": "toolu_1", "name": reply.tool_name, "input": json.loads(TOOL_ARGUMENTS)}]
    else:
        content = [{"type": "text", "text": reply.text}]
    return {
        "id": _new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "stop_sequence" if reply.stop_sequence else _ANTHROPIC_STOP_REASONS[reply.finish],
        "stop_sequence": reply.stop_sequence,
        "usage": {"input_tokens": reply.prompt_tokens, "output_tokens": reply.completion_tokens},
    }


def _anthropic_events(reply: _Reply, model: str, *, endless: bool) -> Iterator[bytes]:
    def event(name: str, payload: dict[str, Any]) -> bytes:
        return f"event: {name}\ndata: {json.dumps({'type': name, **payload})}\n\n".encode()

    final = _anthropic_message(reply, model)
    start = {**final, "content": [], "stop_reason": None, "stop_sequence": None}
    start["usage"] = {"input_tokens": reply.prompt_tokens, "output_tokens": 1}
    yield event("message_start", {"message": start})
    deltas: Iterable[dict[str, Any]]
    if reply.tool_name:
        block = {"type": "tool_use", "id": "toolu_1", "name": reply.tool_name, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in TOOL_ARGUMENT_PIECES]
    else:
        block = {"type": "text", "text": ""}
        deltas = ({"type": "text_delta", "text": piece} for piece in reply.stream_pieces(endless=endless))
    yield event("content_block_start", {"index": 0, "content_block": block})
    yield event("ping", {})
    for delta in deltas:
        yield event("content_block_delta", {"index": 0, "delta": delta})
    yield event("content_block_stop", {"index": 0})
    stop = {"stop_reason": final["stop_reason"], "stop_sequence": final["stop_sequence"]}
    yield event("message_delta", {"delta": stop, "usage": {"output_tokens": reply.completion_tokens}})
    yield event("message_stop", {})


def _is_messages(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(message, dict) for message in value)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 drops connections when tests fire many at once

    def __init__(self, address: tuple[str, int], owner: ModelServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that went away (or connections closed by ``stop``); report anything else."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; JSON with Content-Length, streams chunked
    server: _HTTPServer
    api = "openai"  # which error shape to answer with

    @property
    def owner(self) -> ModelServer:
        return self.server.owner

    def setup(self) -> None:
        super().setup()
        self.owner._track(self.connection, open_=True)

    def finish(self) -> None:
        self.owner._track(self.connection, open_=False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Tests read ``server.requests`` instead of an access log."""

    def do_GET(self) -> None:
        self._handle(self._models)

    def do_POST(self) -> None:
        self._handle(self._post)

    def _handle(self, respond: Callable[[], None]) -> None:
        try:
            respond()
        except (OSError, _Stopping):  # the client went away, or the server is stopping
            self.close_connection = True

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _models(self) -> None:
        path = self.path.split("?")[0]
        self.owner._record({"method": "GET", "path": path, "headers": self._headers(), "body": None})
        self.api = "openai"
        if path not in ("/v1/models", "/models"):
            return self._fail(404, f"Invalid URL (GET {path})")
        if not self._openai_key_ok():
            return self._fail(401, _MESSAGES[401][0])
        models = [{"id": name, "object": "model", "created": 1700000000, "owned_by": "tests"} for name in MODEL_IDS]
        return self._send_json(200, {"object": "list", "data": models})

    def _post(self) -> None:
        path = self.path.split("?")[0]
        body = self._read_body()
        self.owner._record({"method": "POST", "path": path, "headers": self._headers(), "body": body})
        self.api = "anthropic" if path == "/v1/messages" else "openai"  # per request: keep-alive reuses the handler
        if path in ("/v1/chat/completions", "/chat/completions"):
            self._chat_completions(body)
        elif path == "/v1/messages":
            self._messages(body)
        else:
            self._fail(404, f"Invalid URL (POST {path})")

    def _headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def _bearer_key(self) -> str | None:
        scheme, _, key = self.headers.get("Authorization", "").partition(" ")
        return key.strip() if scheme.lower() == "bearer" else None

    def _openai_key_ok(self) -> bool:
        return self._bearer_key() in self.owner.valid_keys

    def _chat_completions(self, body: Any) -> None:
        if not self._openai_key_ok():
            return self._fail(401, _MESSAGES[401][0])
        if not isinstance(body, dict) or not _is_messages(body.get("messages")):
            return self._fail(400, "'messages' must be a non-empty list of message objects")
        model = str(body.get("model", ""))
        if self._triggered(model):
            return None
        stop = body.get("stop")
        response_format = body.get("response_format")
        json_mode = isinstance(response_format, dict) and response_format.get("type") in {"json_object", "json_schema"}
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
        reply = _compose_reply(
            body["messages"],
            tool_name=None if body.get("tool_choice") == "none" else _first_tool_name(body.get("tools")),
            json_mode=json_mode,
            stops=[stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str)],
            max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        )
        if not body.get("stream"):
            return self._send_json(200, _openai_completion(reply, model))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return self._stream(_openai_chunks(reply, model, include_usage=include_usage, endless=model == "endless"))

    def _messages(self, body: Any) -> None:
        # The API takes x-api-key; anthropic SDK 2.x sends its api_key as a Bearer token instead.
        if (self.headers.get("x-api-key") or self._bearer_key()) not in self.owner.valid_anthropic_keys:
            return self._fail(401, _MESSAGES[401][1])
        if not self.headers.get("anthropic-version"):
            return self._fail(400, "anthropic-version: header is required")
        if not isinstance(body, dict) or not _is_messages(body.get("messages")):
            return self._fail(400, "messages: Field required")
        if not isinstance(body.get("max_tokens"), int):
            return self._fail(400, "max_tokens: Field required")
        model = str(body.get("model", ""))
        if self._triggered(model):
            return None
        tool_choice = body.get("tool_choice")
        no_tools = isinstance(tool_choice, dict) and tool_choice.get("type") == "none"
        reply = _compose_reply(
            body["messages"],
            system=_text_of(body.get("system")),
            tool_name=None if no_tools else _first_tool_name(body.get("tools")),
            json_mode=False,
            stops=[s for s in body.get("stop_sequences") or [] if isinstance(s, str)],
            max_tokens=body["max_tokens"],
        )
        if not body.get("stream"):
            return self._send_json(200, _anthropic_message(reply, model))
        return self._stream(_anthropic_events(reply, model, endless=model == "endless"))

    def _triggered(self, model: str) -> bool:
        """Sleep for "slow"; answer an error model's error and return True."""
        if model == "slow":
            self._sleep(self.owner.slow_seconds)
        status = 404 if model.startswith("missing") else _TRIGGERS.get(model)
        if status is None:
            return False
        if status == 502:
            self._send(502, HTML_ERROR_BODY.encode(), "text/html; charset=utf-8")
        else:
            self._fail(status, _MESSAGES[status][self.api == "anthropic"].format(model=model))
        return True

    def _sleep(self, seconds: float) -> None:
        if self.owner._stopping.wait(seconds):
            raise _Stopping

    def _fail(self, status: int, message: str) -> None:
        openai_type, code, anthropic_type = _ERRORS.get(status, _ERRORS[400])
        payload: dict[str, Any] = {"error": {"message": message, "type": openai_type, "param": None, "code": code}}
        if self.api == "anthropic":
            payload = {"type": "error", "error": {"type": anthropic_type, "message": message}}
        self._send_json(status, payload, {"Retry-After": "1"} if status == 429 else {})

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, events: Iterable[bytes]) -> None:
        """Send server-sent events as a chunked body, ``token_delay`` apart; count a client that goes away."""
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for index, event in enumerate(events):
                if index:
                    self._sleep(self.owner.token_delay)
                self.wfile.write(b"%X\r\n%s\r\n" % (len(event), event))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # BrokenPipeError / ConnectionResetError: the client closed the stream
            self.close_connection = True
            if not self.owner._stopping.is_set():
                self.owner._record_disconnect()


class ModelServer:
    """The fake model server; see the module docstring. ``start()``/``stop()`` or use it as a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        valid_keys: Iterable[str] = ("sk-test-openai",),
        valid_anthropic_keys: Iterable[str] = ("sk-test-anthropic",),
        slow_seconds: float = 5.0,
        token_delay: float = 0.02,
    ) -> None:
        self.valid_keys: set[str] = set(valid_keys)
        self.valid_anthropic_keys: set[str] = set(valid_anthropic_keys)
        self.slow_seconds = slow_seconds
        self.token_delay = token_delay
        self._changed = threading.Condition()
        self._requests: list[dict[str, Any]] = []
        self._disconnects = 0
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd = _HTTPServer((host, port), self)  # bound now, so url is known before start()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of every request received: ``{method, path, headers (lower-cased), body (parsed JSON)}``."""
        with self._changed:
            return list(self._requests)

    @property
    def disconnects(self) -> int:
        """How many streams lost their client before the end."""
        with self._changed:
            return self._disconnects

    def reset(self) -> None:
        with self._changed:
            self._requests.clear()
            self._disconnects = 0

    def wait_for_disconnect(self, timeout: float = 2.0, *, at_least: int = 1) -> bool:
        """Wait until ``disconnects`` reaches ``at_least`` (1: any since the start or ``reset()``)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._disconnects >= at_least, timeout)

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="model-server", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end open connections (streams, slow answers, keep-alive) and close the port."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        with self._changed:
            self._changed.wait_for(lambda: not self._connections, timeout=2.0)
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record(self, request: dict[str, Any]) -> None:
        with self._changed:
            self._requests.append(request)

    def _record_disconnect(self) -> None:
        with self._changed:
            self._disconnects += 1
            self._changed.notify_all()

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._changed:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)
                self._changed.notify_all()
