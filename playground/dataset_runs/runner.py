"""Executing a dataset run: every example of the dataset (or of its chosen splits, at a version)
goes through the model once, as an `llm` run in the experiment with the example as its
reference, at most `concurrency` calls at a time.

Progress lives in Postgres (one item row per finished example), so a run survives the process:
while it runs, its process renews a lease; a run whose lease lapsed is claimed by another
playground process (or this one after a restart) and resumes with the examples not done yet. Run
ids are derived from (dataset run, example), so a resumed example that had already been posted is
the same run, not a second one.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import anyio

from app.backend.seam import list_examples, resolve_as_of
from app.core.errors import TracehouseError, UpstreamFailure
from app.core.postgres import Postgres
from playground.dataset_runs import queries as q
from playground.model_providers.service import load_provider
from playground.prompts import HubPrompt, fetch_prompt, fill
from playground.providers.base import ChatRequest
from playground.tracing import CallTrace

LEASE_SECONDS = 30
RENEW_EVERY = 5
CLAIM_EVERY = 15
PAGE = 500
RETRYABLE = {"provider_rate_limited", "provider_timeout", "provider_unreachable", "provider_error"}
ATTEMPTS = 3
log = logging.getLogger("tracehouse.playground.dataset_runs")


def render_messages(templates: list[dict[str, Any]], variables: dict[str, Any]) -> list[dict[str, Any]]:
    """Message templates filled from an example's inputs (string contents only)."""
    out = []
    for message in templates:
        content = message.get("content")
        out.append({**message, "content": fill(content, variables) if isinstance(content, str) else content})
    return out


class DatasetRunner:
    def __init__(self, state: Any, postgres: Postgres, default_concurrency: int) -> None:
        self.state = state
        self.postgres = postgres
        self.default_concurrency = default_concurrency

    async def _examples(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        spec = row["spec"]
        as_of = await resolve_as_of(self.postgres, row["dataset_id"], spec["as_of"]) if spec.get("as_of") else None
        done = {r["example_id"] for r in await self.postgres.fetch_all(q.DONE_ITEMS, {"id": row["id"]})}
        pending: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await list_examples(
                self.postgres,
                row["workspace_id"],
                dataset_id=row["dataset_id"],
                as_of=as_of,
                splits=spec.get("splits"),
                limit=PAGE,
                offset=offset,
            )
            pending.extend(e for e in page if e["id"] not in done)
            if len(page) < PAGE:
                return pending
            offset += PAGE

    async def run(self, row: dict[str, Any]) -> None:
        """Run (or resume) one dataset run to its end; never raises."""
        run_id = row["id"]
        try:
            status = await self._run(row)
        except TracehouseError as exc:
            await self.postgres.execute(q.FINISH, {"id": run_id, "status": "failed", "error": exc.detail})
            return
        except Exception as exc:
            log.exception("dataset run %s failed", run_id)
            await self.postgres.execute(q.FINISH, {"id": run_id, "status": "failed", "error": f"internal error: {exc}"})
            return
        if status == "running":
            await self.postgres.execute(q.FINISH, {"id": run_id, "status": "done", "error": None})
        await self.postgres.execute(q.END_EXPERIMENT, {"id": row["experiment_id"]})

    async def _run(self, row: dict[str, Any]) -> str:
        spec = row["spec"]
        workspace_id = row["workspace_id"]
        config, provider_row = await load_provider(self.state, self.postgres, workspace_id, spec.get("provider"))
        hub = await fetch_prompt(self.postgres, workspace_id, spec["prompt"]) if spec.get("prompt") else None
        model = spec.get("model") or (hub.model_defaults.get("model") if hub else None) or provider_row["default_model"]
        if not model:
            raise UpstreamFailure("bad_request", "no model named and the provider has no default", provider=config.name)
        pending = await self._examples(row)
        limiter = anyio.Semaphore(spec.get("concurrency") or self.default_concurrency)
        status = "running"

        async def one(example: dict[str, Any]) -> None:
            async with limiter:
                await self._example(row, config, model, hub, example)

        async with anyio.create_task_group() as group:

            async def keep_lease() -> None:
                nonlocal status
                while True:
                    await anyio.sleep(RENEW_EVERY)
                    renewed = await self.postgres.fetch_one(q.RENEW, {"id": row["id"], "lease": LEASE_SECONDS})
                    if renewed is None:  # cancelled (or finished elsewhere): stop calling models
                        status = "stopped"
                        group.cancel_scope.cancel()
                        return

            group.start_soon(keep_lease)
            async with anyio.create_task_group() as calls:
                for example in pending:
                    calls.start_soon(one, example)
            group.cancel_scope.cancel()  # all calls done: stop renewing
        return status

    async def _example(
        self, row: dict[str, Any], config: Any, model: str, hub: HubPrompt | None, example: dict[str, Any]
    ) -> None:
        spec = row["spec"]
        variables = example["inputs"] or {}
        trace_id = uuid.uuid5(row["id"], str(example["id"]))
        caller = self.state.caller
        failure: str | None
        try:
            if hub is not None:
                rendered = hub.render(variables)
                messages, defaults = rendered.messages, rendered.model_defaults
            else:
                messages, defaults = render_messages(spec["messages"], variables), {}
        except TracehouseError as exc:
            messages, defaults, failure = [], {}, exc.detail
        else:
            failure = None
        request = ChatRequest(
            model=model,
            messages=messages,
            temperature=spec.get("temperature", defaults.get("temperature")),
            max_tokens=spec.get("max_tokens") or defaults.get("max_tokens"),
            top_p=spec.get("top_p"),
            stop=spec.get("stop") or defaults.get("stop"),
            tools=spec.get("tools"),
            response_format=spec.get("response_format"),
        )
        trace = CallTrace(
            request=request,
            config=config,
            project=row["experiment_name"],
            run_id=trace_id,
            reference_example_id=example["id"],
            metadata={"playground_dataset_run": str(row["id"])},
        )
        ok = False
        if failure is not None:
            await caller.record(row["workspace_id"], trace.run(None, error=failure))
        else:
            for attempt in range(ATTEMPTS):
                last = attempt == ATTEMPTS - 1
                try:
                    await caller.invoke(row["workspace_id"], config, trace, record_failure=last)
                    ok = True
                    break
                except UpstreamFailure as exc:
                    if last or exc.code not in RETRYABLE:
                        if not last:
                            await caller.record(row["workspace_id"], trace.run(None, error=exc.detail))
                        break
                    await anyio.sleep(exc.retry_after or 2**attempt)
        await self.postgres.execute(
            q.RECORD_ITEM, {"id": row["id"], "example_id": example["id"], "trace_id": trace_id, "ok": ok}
        )

    async def resume_orphans(self) -> None:
        """Forever: claim runs whose process died and finish them here."""
        async with anyio.create_task_group() as group:
            while True:
                try:
                    row = await self.postgres.fetch_one(q.CLAIM_ORPHAN, {"lease": LEASE_SECONDS})
                except TracehouseError:
                    row = None  # Postgres away: try again later
                if row is not None:
                    log.info("resuming dataset run %s", row["id"])
                    group.start_soon(self.run, row)
                    continue
                await anyio.sleep(CLAIM_EVERY)
