"""Pricing at ingest: the writer prices each LLM run it writes from its workspace's model price map
(app/core/prices.py has the rules; docs/costs.md the whole story).

Why in the writer: it is where a run is complete. The model name may come with the post and the
tokens with the patch; the writer merges the two and prices the merged state, every time it writes
the run, so a later patch with more tokens is priced too, and `costs recompute` only has to send
empty patches through the stream.

The writer has no Postgres pool of its own, so each workspace's effective table is cached here.
The backend bumps the workspace's counter in the Redis hash `PRICES_GENERATION` on every change;
the writer reads the counters of a batch's workspaces in one HMGET and reloads only a table whose
counter moved (and, in case a bump was lost with Redis's data, any table older than REFRESH_SECONDS).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
import redis

from app.core import redis_keys
from app.core.errors import StoreUnavailable
from app.core.prices import Price, PriceError, PriceList, compute, load_defaults, stored_price
from worker import queries as q
from worker.records import RunState

log = logging.getLogger("tracehouse.writer")

REFRESH_SECONDS = 300.0


class PriceBook:
    """Each workspace's PriceList, cached per process and reloaded when its generation moves."""

    def __init__(self, connection: redis.Redis, dsn: str, defaults: Sequence[Price] | None = None) -> None:
        self.redis = connection
        self._dsn = dsn
        self._conn: psycopg.Connection | None = None
        self.defaults = tuple(load_defaults() if defaults is None else defaults)
        self._shared = PriceList((), self.defaults)  # for every workspace that changed nothing
        self._lists: dict[str, tuple[bytes | None, float, PriceList]] = {}

    def lists(self, workspaces: Iterable[str]) -> dict[str, PriceList]:
        wanted = sorted(set(workspaces))
        if not wanted:
            return {}
        generations: list[bytes | None] = self.redis.hmget(redis_keys.PRICES_GENERATION, wanted)  # type: ignore[assignment]  # redis-py types replies as a union
        now = time.monotonic()
        stale = [
            ws
            for ws, gen in zip(wanted, generations, strict=True)
            if (cached := self._lists.get(ws)) is None or cached[0] != gen or now - cached[1] > REFRESH_SECONDS
        ]
        if stale:
            try:
                rows = self._rows(stale)
            except StoreUnavailable:
                # Postgres is down: a table loaded before is used as it was (a change made in the
                # meantime cannot have been saved either, unless it landed just before the outage).
                # A workspace never loaded cannot be priced correctly: the batch waits (retried).
                if any(ws not in self._lists for ws in stale):
                    raise
                log.warning("model prices not reloaded (postgres unavailable); using the cached tables")
                return {ws: self._lists[ws][2] for ws in wanted}
            for ws, gen in zip(wanted, generations, strict=True):
                if ws in stale:
                    self._lists[ws] = (gen, now, self._build(rows.get(ws, [])))
        return {ws: self._lists[ws][2] for ws in wanted}

    def _rows(self, workspaces: list[str]) -> dict[str, list[dict[str, Any]]]:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(
                    self._dsn, autocommit=True, connect_timeout=5, application_name="tracehouse-writer"
                )
            with self._conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
                cur.execute(q.SELECT_MODEL_PRICES, {"workspaces": workspaces})
                found: dict[str, list[dict[str, Any]]] = {}
                for row in cur.fetchall():
                    found.setdefault(str(row["workspace_id"]), []).append(row)
                return found
        except psycopg.OperationalError as exc:
            self._conn = None
            raise StoreUnavailable(f"postgres unavailable: {exc}") from exc

    def _build(self, rows: list[dict[str, Any]]) -> PriceList:
        if not rows:
            return self._shared
        replaced = {str(r["default_id"]) for r in rows if r["default_id"] is not None}
        own = []
        for r in rows:
            if r["disabled"]:
                continue
            try:
                own.append(stored_price(r))
            except PriceError as exc:  # the API checks every entry; an old or hand-made row is skipped
                log.warning("model price %s skipped: %s", r["id"], exc)
        return PriceList(own, [p for p in self.defaults if p.id not in replaced])


def price(state: RunState, prices: PriceList) -> None:
    """Set the state's costs from the table, unless the caller sent its own. A run priced before
    whose entry is gone (deleted, disabled) loses its costs: they are unknown again, not zero.
    Costs without a source are the caller's too (rows written before pricing existed)."""
    if state.cost_source == "caller" or state.run_type != "llm":
        return
    if state.cost_source is None and state.total_cost is not None:
        return
    entry = None
    tokens = bool(state.prompt_tokens or state.completion_tokens)
    if tokens and state.model_name:
        entry = prices.find(state.model_name, state.model_provider, state.start_time)
    if entry is None:
        if state.cost_source == "table":
            state.prompt_cost = state.completion_cost = state.total_cost = None
            state.prompt_cost_details = state.completion_cost_details = None
            state.cost_source = None
        return
    costs = compute(
        entry,
        state.prompt_tokens or 0,
        state.completion_tokens or 0,
        state.prompt_token_details,
        state.completion_token_details,
    )
    state.prompt_cost, state.completion_cost, state.total_cost = costs.prompt, costs.completion, costs.total
    state.prompt_cost_details = costs.prompt_details or None
    state.completion_cost_details = costs.completion_details or None
    state.cost_source = "table"
