"""rq job (a periodic task): evaluate every enabled alert rule and raise its firing and resolved
events.

A rule measures its metric over the last `window_minutes` and compares it with its threshold.
While `ok`, `breaches_to_fire` breaches in a row make it `firing`; while `firing`,
`oks_to_resolve` non-breaches in a row resolve it (any other answer resets the streak), so a value
hovering at the threshold does not flap. No data (no runs, so no error rate or latency; no
feedback) is not a breach.

Exactly one event per transition, under job retries and concurrent evaluators: the transition, its
incident, its event and its deliveries are written in one transaction holding the rule's row lock,
and the event id is derived from the incident, so a second evaluator finds the new state and a
repeated write adds nothing. Deliveries are queued after the commit; a crash in between is healed
by the sweep at the end of every evaluation.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row

from app.core import redis_keys, series
from app.core.clickhouse import ClickHouse
from app.core.queue import queue
from app.core.webhooks import delivery as wire
from app.core.webhooks import queries as wq
from app.core.webhooks.events import record_event
from worker.alerts import queries as q
from worker.context import context

log = logging.getLogger("tracehouse.queue")

COMPARISONS = {
    "gt": lambda v, t: v > t,
    "gte": lambda v, t: v >= t,
    "lt": lambda v, t: v < t,
    "lte": lambda v, t: v <= t,
}
SYMBOLS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# Deliveries still pending this long after their event were probably never queued.
STALE_DELIVERY_SECONDS = 300
# Fixed namespace for event ids derived from incidents (uuid5): the same transition, the same id.
EVENT_NAMESPACE = uuid.UUID("5b1f0a8e-19a1-4c3e-9d6e-7a1e2f3c4d5b")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def measure(
    ch: ClickHouse, rule: dict[str, Any], now: dt.datetime, totals: dict[tuple[str, str, int], Any] | None = None
) -> float | None:
    """The rule's metric over its window ending now; None when there is nothing to measure.
    `totals` keeps one evaluation's run totals per (workspace, project, window): the rules of a
    project over the same window (error rate, latency, cost, count) share one query."""
    start = now - dt.timedelta(minutes=rule["window_minutes"])
    scope = {
        "workspace_id": str(rule["workspace_id"]),
        "project_id": str(rule["project_id"]),
        "start": start,
        "end": now,
    }
    metric = rule["metric"]
    if metric == "feedback_avg":
        rows = ch.query(q.FEEDBACK_AVERAGE, {**scope, "key": rule["feedback_key"]})
        return _number(rows[0][0]) if rows and rows[0][1] else None
    # Counted over traces (root runs), like the monitoring charts by default.
    key = (str(rule["workspace_id"]), str(rule["project_id"]), int(rule["window_minutes"]))
    cached = totals.get(key) if totals is not None else None
    if cached is None:
        cached = ch.query(series.SERIES_TOTALS, {**scope, "is_root": True, "run_type": None})[0]
        if totals is not None:
            totals[key] = cached
    _, runs, errors, latency, _first, _p, _c, _t, cost, _llm = cached
    if metric == "run_count":
        return float(runs)
    if metric == "cost_per_hour":
        return (_number(cost) or 0.0) * 60 / int(rule["window_minutes"])
    if not runs:
        return None
    if metric == "error_rate":
        return float(errors) / float(runs)
    p50, p99, p95 = (_number(v) for v in latency)
    return {"latency_p50": p50, "latency_p95": p95, "latency_p99": p99}[metric]


def _event(
    rule: dict[str, Any],
    *,
    kind: str,
    value: float | None,
    incident: uuid.UUID,
    project: str | None,
    at: dt.datetime,
    fired_at: dt.datetime,
) -> dict[str, Any]:
    shown = "no data" if value is None else f"{value:.6g}"
    metric = rule["metric"] + (f"({rule['feedback_key']})" if rule["feedback_key"] else "")
    condition = f"{metric} {SYMBOLS[rule['comparison']]} {rule['threshold']:g} over {rule['window_minutes']}m"
    verb = "FIRING" if kind == "firing" else "RESOLVED"
    return {
        "summary": f"[{verb}] {rule['name']} on {project or rule['project_id']}: {condition} (value {shown})",
        "rule": {
            "id": str(rule["id"]),
            "name": rule["name"],
            "metric": rule["metric"],
            "feedback_key": rule["feedback_key"],
            "comparison": rule["comparison"],
            "threshold": rule["threshold"],
            "window_minutes": rule["window_minutes"],
        },
        "project": {"id": str(rule["project_id"]), "name": project},
        "incident_id": str(incident),
        "state": kind,
        "value": value,
        "fired_at": fired_at.isoformat(),
        "resolved_at": at.isoformat() if kind == "resolved" else None,
    }


def transition(
    conn: psycopg.Connection[dict[str, Any]],
    rule_id: uuid.UUID,
    workspace_id: uuid.UUID,
    value: float | None,
    at: dt.datetime,
) -> list[uuid.UUID]:
    """Count this measurement against the rule; on a transition, record it and its event. The
    deliveries to queue are the answer."""
    scope = {"id": rule_id, "workspace_id": workspace_id}
    with conn.transaction():
        rule = conn.execute(q.LOCK_RULE, scope).fetchone()
        if rule is None:  # deleted or disabled since it was listed
            return []
        breach = value is not None and COMPARISONS[rule["comparison"]](value, rule["threshold"])
        state, streak = rule["state"], rule["streak"]
        streak = streak + 1 if breach == (state == "ok") else 0
        kind = None
        if state == "ok" and streak >= rule["breaches_to_fire"]:
            state, streak, kind = "firing", 0, "firing"
            incident, fired_at = uuid.uuid4(), at
            conn.execute(
                q.INSERT_INCIDENT,
                {"id": incident, "rule_id": rule_id, "workspace_id": workspace_id, "at": at, "value": value},
            )
        elif state == "firing" and streak >= rule["oks_to_resolve"]:
            state, streak, kind = "ok", 0, "resolved"
            closed = conn.execute(
                q.RESOLVE_INCIDENT, {"rule_id": rule_id, "workspace_id": workspace_id, "at": at, "value": value}
            ).fetchone()
            incident, fired_at = (closed["id"], closed["fired_at"]) if closed else (uuid.uuid4(), at)
        conn.execute(q.UPDATE_RULE_STATE, {**scope, "state": state, "streak": streak, "value": value, "at": at})
        if kind is None:
            return []
        project = conn.execute(
            q.SELECT_PROJECT_NAME, {"project_id": rule["project_id"], "workspace_id": workspace_id}
        ).fetchone()
        event_id = uuid.uuid5(EVENT_NAMESPACE, f"{incident}:{kind}")
        payload = _event(
            rule,
            kind=kind,
            value=value,
            incident=incident,
            project=project["name"] if project else None,
            at=at,
            fired_at=fired_at,
        )
        hooks = [
            r["webhook_id"]
            for r in conn.execute(q.SELECT_RULE_WEBHOOKS, {"rule_id": rule_id, "workspace_id": workspace_id})
        ]
        deliveries = record_event(
            conn,
            event_id=event_id,
            workspace_id=workspace_id,
            event_type=f"alert.{kind}",
            payload=payload,
            webhook_ids=hooks,
        )
        log.info("alert rule %s is %s (value %s)", rule_id, kind, value)
        return deliveries


def evaluate() -> int:
    """Evaluate every enabled rule once; returns how many were evaluated."""
    ctx = context()
    now = dt.datetime.now(dt.UTC)
    default = queue(redis_keys.DEFAULT_QUEUE, ctx.redis)
    ch = ctx.clickhouse()
    evaluated = 0
    totals: dict[tuple[str, str, int], Any] = {}
    try:
        with psycopg.connect(ctx.settings.postgres.postgres_dsn, row_factory=dict_row, connect_timeout=5) as conn:
            conn.autocommit = True
            for rule in conn.execute(q.LIST_ENABLED_RULES).fetchall():
                try:
                    value = measure(ch, rule, now, totals)
                except Exception:
                    # One rule's failing query (a store hiccup) must not starve the others.
                    log.exception("alert rule %s could not be measured", rule["id"])
                    continue
                wire.enqueue(default, transition(conn, rule["id"], rule["workspace_id"], value, now))
                evaluated += 1
            stale = conn.execute(wq.SELECT_STALE_PENDING, {"older_than": STALE_DELIVERY_SECONDS}).fetchall()
            wire.enqueue(default, [r["id"] for r in stale if not default.fetch_job(f"webhook-{r['id']}")])
    finally:
        ch.close()
    return evaluated
