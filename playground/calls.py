"""Calling a model, traced: the one place a provider is called from (chat, the OpenAI-compatible
pass-through and dataset runs all come here). A provider's failure becomes an UpstreamFailure
naming the provider and the cause; success or failure, the call is posted as an `llm` run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from app.core.errors import Forbidden, UpstreamFailure
from playground.providers import provider_for
from playground.providers.base import (
    ChatResult,
    ProviderConfig,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UpstreamError,
)
from playground.tracing import CallTrace, submit

CANCELLED = "cancelled: the client went away before the answer was complete"


@asynccontextmanager
async def upstream(config: ProviderConfig) -> AsyncIterator[None]:
    try:
        yield
    except UpstreamError as exc:
        # Provider modules already name the provider in their messages; do not say it twice.
        prefix = f"{config.name}: "
        message = exc.message if exc.message.startswith(prefix) else prefix + exc.message
        raise UpstreamFailure(exc.kind, message, provider=config.name, retry_after=exc.retry_after) from None


class Caller:
    """What a call needs from the service: the shared HTTP client and the ingest queue."""

    def __init__(self, http: httpx.AsyncClient, ingest_queue: Any) -> None:
        self.http = http
        self.ingest_queue = ingest_queue

    async def record(self, workspace_id: uuid.UUID, run: dict[str, Any]) -> None:
        await self._trace(workspace_id, run)

    async def _trace(self, workspace_id: uuid.UUID, run: dict[str, Any]) -> None:
        # Shielded: a cancelled request still records what happened.
        with anyio.CancelScope(shield=True):
            await submit(self.ingest_queue, workspace_id, [run])

    async def invoke(
        self, workspace_id: uuid.UUID, config: ProviderConfig, trace: CallTrace, *, record_failure: bool = True
    ) -> ChatResult:
        """`record_failure=False` for an attempt the caller will retry: only the final outcome
        becomes the run (runs merge by id, so a failed first post would stick to a retried run)."""
        provider = provider_for(config.kind)
        try:
            async with upstream(config):
                result = await provider.complete(self.http, config, trace.request)
        except (UpstreamFailure, Forbidden) as exc:  # Forbidden: the egress check refused the request
            if record_failure:
                await self._trace(workspace_id, trace.run(None, error=exc.detail))
            raise
        except BaseException:
            await self._trace(workspace_id, trace.run(None, error=CANCELLED))
            raise
        await self._trace(workspace_id, trace.run(result))
        return result

    async def stream(
        self, workspace_id: uuid.UUID, config: ProviderConfig, trace: CallTrace
    ) -> AsyncIterator[StreamEvent]:
        """Provider events as they arrive. Closing this iterator (the client went away) closes the
        upstream response, which cancels the upstream request; the run records the partial text."""
        events = provider_for(config.kind).stream(self.http, config, trace.request)
        text: list[str] = []
        result: ChatResult | None = None
        error: str | None = CANCELLED
        try:
            async with upstream(config):
                async for event in events:
                    if isinstance(event, (TextDelta, ToolCallDelta)):
                        trace.mark_first_token()
                        if isinstance(event, TextDelta):
                            text.append(event.text)
                    elif isinstance(event, StreamEnd):
                        result, error = event.result, None
                    yield event
        except (UpstreamFailure, Forbidden) as exc:
            error = exc.detail
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await events.aclose()
                await submit(self.ingest_queue, workspace_id, [trace.run(result, error=error, partial="".join(text))])
