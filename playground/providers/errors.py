"""Turning whatever an upstream does wrong into an `UpstreamError`, the same way for every provider.

Rules that matter for safety: a provider's message is only taken from its JSON error shape, never
from a non-JSON body (a proxy's HTML error page must not reach the UI verbatim), and error bodies
are read at most `MAX_ERROR_BODY` bytes (a misbehaving server could stream forever).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from playground.providers.base import ProviderConfig, UpstreamError, UpstreamErrorKind

MAX_ERROR_BODY = 64 * 1024
_MAX_DETAIL = 300

# Status -> (kind, what went wrong); 404 is decided separately (missing model or wrong URL).
_BY_STATUS: dict[int, tuple[UpstreamErrorKind, str]] = {
    401: ("auth", "the API key was rejected"),
    403: ("auth", "the API key was rejected"),
    429: ("rate_limited", "rate limited"),
}


async def read_error_body(response: httpx.Response) -> bytes:
    """At most MAX_ERROR_BODY bytes of a response body. Unlike a bare `aread()` this stops early, so a
    huge or endless error body cannot exhaust memory; works on read and unread responses alike."""
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= MAX_ERROR_BODY:
            break
    return body[:MAX_ERROR_BODY]


async def raise_for_status(response: httpx.Response, config: ProviderConfig) -> None:
    """Raise the mapped UpstreamError for a non-2xx response; call before reading (or yielding) anything."""
    if not response.is_success:
        raise error_from_response(response, config, body=await read_error_body(response))


def error_from_response(response: httpx.Response, config: ProviderConfig, *, body: bytes) -> UpstreamError:
    status = response.status_code
    message, code = _provider_message(body)
    detail = message or f"HTTP {status}"
    if status == 404:
        # The message decides when there is one: servers (and test fakes) reuse model_not_found codes for
        # any 404, while "Invalid URL (POST /v1/...)" plainly means a wrong path.
        if ("model" in message.lower()) if message else code == "model_not_found":
            return UpstreamError("model_not_found", f"{config.name}: model not found ({detail})", status=status)
        # No model complaint: the path itself does not exist, i.e. the base URL is wrong.
        where = f"{response.request.url.path} not found at the configured base URL {config.base_url}"
        return UpstreamError("upstream_error", f"{config.name}: {where}", status=status)
    kind, summary = _BY_STATUS.get(status) or (
        ("upstream_error", "the server failed") if status >= 500 else ("bad_request", "the request was refused")
    )
    if kind == "auth" and config.api_key is None:
        summary = "the server requires an API key and none is configured"
    retry_after = retry_after_seconds(response.headers) if status == 429 else None
    if retry_after is not None:
        summary += f", retry after {retry_after:g}s"
    return UpstreamError(kind, f"{config.name}: {summary} ({detail})", status=status, retry_after=retry_after)


def _provider_message(body: bytes) -> tuple[str | None, str | None]:
    """(message, code) from a JSON error body; (None, None) for anything else, HTML in particular."""
    try:
        payload = json.loads(body)
    except ValueError:  # includes UnicodeDecodeError, and JSON cut off by the size bound
        return None, None
    if not isinstance(payload, dict):
        return None, None
    error = payload.get("error")
    message: Any
    code: Any = None
    if isinstance(error, dict):  # OpenAI {"error": {"message", "code"}}, Anthropic {"error": {"type", "message"}}
        message, code = error.get("message"), error.get("code")
    elif isinstance(error, str):  # Ollama, llama.cpp, LiteLLM: {"error": "..."}
        message = error
    else:  # FastAPI-based servers: {"detail": "..."}
        message = payload.get("message") or payload.get("detail")
    text = re.sub(r"\s+", " ", message).strip()[:_MAX_DETAIL] if isinstance(message, str) else ""
    return text or None, code if isinstance(code, str) else None


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); OpenAI's retry-after-ms is more precise."""
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


@contextmanager
def transport_errors(config: ProviderConfig, url: str) -> Iterator[None]:
    """Map httpx's request exceptions (connect, timeouts, broken streams) raised inside the block."""
    host = httpx.URL(url).netloc.decode()
    try:
        yield
    except httpx.TimeoutException as exc:
        raise UpstreamError("timeout", f"{config.name}: {host} did not answer in time ({_reason(exc)})") from exc
    except httpx.ConnectError as exc:
        raise UpstreamError("unreachable", f"{config.name}: could not connect to {host}: {_reason(exc)}") from exc
    except httpx.TransportError as exc:  # the connection broke after it was made, or the URL scheme is unusable
        raise UpstreamError("unreachable", f"{config.name}: the connection to {host} failed: {_reason(exc)}") from exc
    except httpx.RequestError as exc:  # a body we cannot decode, redirect loops: the server answered, badly
        raise UpstreamError("upstream_error", f"{config.name}: bad answer from {host}: {_reason(exc)}") from exc


def _reason(exc: Exception) -> str:
    # httpx timeouts often have an empty message; the class name (ReadTimeout, ConnectTimeout) still says it.
    text = str(exc).strip()
    return text[:150] if text else type(exc).__name__


def malformed(config: ProviderConfig, detail: str) -> UpstreamError:
    """A success status with an answer we cannot understand."""
    return UpstreamError("upstream_error", f"{config.name}: unexpected answer ({detail})")


def json_object(text: str | bytes, config: ProviderConfig, *, what: str) -> dict[str, Any]:
    """Decode a JSON object (a whole answer, or one SSE `data:` payload) or raise upstream_error."""
    try:
        value = json.loads(text)
    except ValueError:
        raise malformed(config, f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise malformed(config, f"{what} is not a JSON object")
    return value
