"""What one alert evaluation costs: N rules over projects with traces, evaluated by the queue's
own job function (worker/alerts/evaluate.py) in this process against a throwaway stack.

    ./tracehouse bench alerts [--rules 200] [--projects 10] [--traces 500] [--repeat 3]

Rules are spread over the metrics (error rate, latency percentiles, cost per hour, run count,
feedback average), one ClickHouse query each. No webhooks, so only measuring and the Postgres
transition are timed. Prints the time per evaluation and per rule: how long ALERT_EVALUATION_SECONDS
must at least be for this many rules on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from _stack import new_key, pct, print_figures, temporary_stack

METRICS = ["error_rate", "latency_p50", "latency_p95", "latency_p99", "cost_per_hour", "run_count", "feedback_avg"]


def wait(probe: Callable[[], Any], what: str, timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.5)
    return value


def _project_ids(api: httpx.Client, names: list[str]) -> dict[str, str] | None:
    found = {p["name"]: p["id"] for p in api.get("/sessions", params={"limit": 100}).json() if p["name"] in names}
    return found if len(found) == len(names) else None


def _traces(api: httpx.Client, project_id: str) -> int:
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    series = api.get(f"/sessions/{project_id}/timeseries", params={"start_time": start}).json()
    return int(series["totals"]["run_count"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--traces", type=int, default=500, help="traces per project, in the last hour")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with temporary_stack() as stack:
        key = new_key(stack)
        api = httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}, timeout=60)
        now = dt.datetime.now(dt.UTC)
        projects = [f"bench-alerts-{p}" for p in range(args.projects)]
        for name in projects:
            runs = []
            for i in range(args.traces):
                start = now - dt.timedelta(seconds=5 + i * 3600 / args.traces)
                run_id = str(uuid.uuid4())
                runs.append(
                    {
                        "id": run_id,
                        "trace_id": run_id,
                        "dotted_order": start.strftime("%Y%m%dT%H%M%S%fZ") + run_id,
                        "name": f"t{i}",
                        "run_type": "chain",
                        "inputs": {"i": i},
                        "outputs": {"ok": True},
                        "session_name": name,
                        "start_time": start.isoformat(),
                        "end_time": (start + dt.timedelta(seconds=1 + i % 7)).isoformat(),
                        "error": "boom" if i % 10 == 0 else None,
                    }
                )
            api.post("/runs/batch", json={"post": runs}).raise_for_status()
        ids = wait(lambda: _project_ids(api, projects), "the projects")
        for project_id in ids.values():  # every trace stored before anything is timed
            wait(lambda p=project_id: _traces(api, p) == args.traces, "the traces")
        for r in range(args.rules):
            metric = METRICS[r % len(METRICS)]
            rule = {
                "project_id": ids[projects[r % len(projects)]],
                "name": f"r{r}",
                "metric": metric,
                "window_minutes": 60,
                "comparison": "gt",
                "threshold": 0.5,
                "breaches_to_fire": 3,
                "oks_to_resolve": 3,
                **({"feedback_key": "correctness"} if metric == "feedback_avg" else {}),
            }
            api.post("/alert-rules", json=rule).raise_for_status()

        os.environ.update(stack.env())  # the job reads its settings from the environment
        from worker.alerts.evaluate import evaluate

        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            evaluated = evaluate()
            times.append(time.perf_counter() - started)
        print_figures(
            {
                "rules evaluated": evaluated,
                "projects x traces": f"{args.projects} x {args.traces}",
                "evaluation p50 (ms)": round(pct(times, 50), 1),
                "evaluation max (ms)": round(max(times) * 1000, 1),
                "per rule (ms)": round(pct(times, 50) / max(evaluated, 1), 2),
            },
            args.json,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
