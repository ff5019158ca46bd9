"""Streaming a provider's answer, shared by the playground's /stream and the OpenAI-compatible
/chat/completions."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import anyio
from litestar import Request

from app.core.auth import Principal
from app.core.errors import UpstreamFailure
from playground.providers.base import StreamEvent
from playground.tracing import CallTrace

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: do not buffer


async def open_stream(
    request: Request[Any, Any, Any], principal: Principal, trace: CallTrace
) -> AsyncGenerator[StreamEvent, None]:
    """Start the provider's stream and wait for its first event, so that a provider refusing the
    call is answered as an HTTP error before any event is sent."""
    events = request.app.state.caller.stream(principal.workspace_id, trace.config, trace)
    try:
        first = await events.__anext__()
    except StopAsyncIteration:
        raise UpstreamFailure(
            "upstream_error", f"{trace.config.name}: empty answer", provider=trace.config.name
        ) from None

    async def chained() -> AsyncGenerator[StreamEvent, None]:
        try:
            yield first
            async for event in events:
                yield event
        finally:
            with anyio.CancelScope(shield=True):
                await events.aclose()

    return chained()
