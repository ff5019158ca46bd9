"""Every playground call becomes an `llm` run, posted through the normal ingestion path (the same
rq job the ingest endpoints enqueue), in the workspace's `playground` project or, for dataset
runs, in the experiment. The run looks like what the SDK's OpenAI wrapper records: messages in,
the response out, `usage_metadata` for tokens, `ls_provider`/`ls_model_name` metadata, invocation
parameters, and a `new_token` event for the time to first token."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

from app.core.ingest import IngestBatch, enqueue_batch
from playground.providers.base import ChatRequest, ChatResult, ProviderConfig

PLAYGROUND_PROJECT = "playground"


@dataclass
class CallTrace:
    """One call being traced: created before the call, finished after it."""

    request: ChatRequest
    config: ProviderConfig
    project: str = PLAYGROUND_PROJECT
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)
    reference_example_id: uuid.UUID | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    started_clock: float = field(default_factory=time.perf_counter)
    first_token: dt.datetime | None = None

    def mark_first_token(self) -> None:
        if self.first_token is None:
            self.first_token = dt.datetime.now(dt.UTC)

    @property
    def latency(self) -> float:
        return time.perf_counter() - self.started_clock

    def run(self, result: ChatResult | None, *, error: str | None = None, partial: str = "") -> dict[str, Any]:
        end = dt.datetime.now(dt.UTC)
        request = self.request
        params = {
            "model": request.model,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "top_p": request.top_p,
            "stop": request.stop,
            "response_format": request.response_format,
            "tool_choice": request.tool_choice,
            **request.extra,
        }
        params = {k: v for k, v in params.items() if v is not None}
        inputs: dict[str, Any] = {"messages": request.messages}
        if request.tools:
            inputs["tools"] = request.tools
        outputs: dict[str, Any] | None = None
        if result is not None:
            outputs = {
                "id": result.raw_id,
                "model": result.model,
                "choices": [{"index": 0, "message": result.message, "finish_reason": result.finish_reason}],
                "usage_metadata": {
                    "input_tokens": result.usage.input_tokens,
                    "output_tokens": result.usage.output_tokens,
                    "total_tokens": result.usage.total_tokens,
                },
            }
        elif partial:
            outputs = {"choices": [{"index": 0, "message": {"role": "assistant", "content": partial}}]}
        run_id = str(self.run_id)
        run: dict[str, Any] = {
            "id": run_id,
            "trace_id": run_id,
            "dotted_order": self.started.strftime("%Y%m%dT%H%M%S%fZ") + run_id,
            "name": request.model,
            "run_type": "llm",
            "start_time": self.started.isoformat(),
            "end_time": end.isoformat(),
            "session_name": self.project,
            "inputs": inputs,
            "outputs": outputs,
            "error": error,
            "tags": ["playground"],
            "extra": {
                "invocation_params": params,
                "metadata": {
                    "ls_provider": "anthropic" if self.config.kind == "anthropic" else "openai",
                    "ls_model_name": request.model,
                    "ls_model_type": "chat",
                    "ls_temperature": request.temperature,
                    "ls_max_tokens": request.max_tokens,
                    "ls_stop": request.stop,
                    "playground_provider": self.config.name,
                    **self.metadata,
                },
            },
        }
        if self.first_token is not None:
            run["events"] = [{"name": "new_token", "time": self.first_token.isoformat()}]
        if self.reference_example_id is not None:
            run["reference_example_id"] = str(self.reference_example_id)
        return run


async def submit(queue: Any, workspace_id: uuid.UUID, runs: list[dict[str, Any]]) -> None:
    """Enqueue runs for ingestion (rq's client is synchronous, so in a worker thread)."""
    batch = IngestBatch(workspace_id=str(workspace_id), received_at=time.time(), posts=runs)
    await anyio.to_thread.run_sync(enqueue_batch, queue, batch)
