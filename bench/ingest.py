"""Ingestion throughput, end to end: SDK-shaped multipart batches → nginx → platform → Redis/rq
→ workers → ClickHouse, on a throwaway native stack.

    ./tracehouse bench ingest [--seconds 60] [--rate 5500] [--concurrency 8] [--workers 2] [--json]

Each request carries 100 runs (20 traces of 5 runs, ~2 KB each, split into the SDK's parts:
`post.{id}`, `.inputs`, `.outputs`, `.extra`). Clients send for --seconds, then the benchmark
waits for every accepted run to be queryable. With --rate (runs/s) the clients are paced to
that offered load, which is how latency targets are meant ("p99 at 5,000 runs/s"); --rate 0
sends as fast as the clients can (the throughput ceiling, latency then includes queueing).
Printed:

- accepted runs/s, and accept latency p50/p99 as the client saw it and as nginx logged it
  (request_time: the server side, without the benchmark client's own scheduling delays), both
  after the first --warmup seconds (cold pools and caches; throughput counts them);
- end-to-end runs/s (accepted runs / time until the last one is queryable in ClickHouse);
- ingest lag p50/p99: for the n-th accepted run, when the n-th run became queryable minus when
  it was accepted (from the accepted and landed curves, sampled every 0.25 s);
- the raw rate of inserting the same rows straight into ClickHouse (our physical ceiling), and
  end-to-end as a share of it.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import datetime as dt
import math
import re
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import msgspec
from _stack import new_key, print_figures, temporary_stack

if TYPE_CHECKING:  # annotations only: the functions import app modules late, when they run
    from app.core.clickhouse import ClickHouse
    from tooling.runner.stack import NativeStack

RUNS_PER_REQUEST = 100
RUNS_PER_TRACE = 5
BOUNDARY = "a3b1c2d4e5f60718293a4b5c6d7e8f90"
_encode = msgspec.json.encode

INPUTS = _encode(
    {
        "messages": [
            {"role": "system", "content": "You are a careful assistant. " * 8},
            {"role": "user", "content": "Summarise the quarterly report for the board. " * 8},
        ]
    }
)
OUTPUTS = _encode({"output": "The quarter closed with revenue up and costs flat; margins improved. " * 9})
EXTRA = _encode(
    {
        "metadata": {
            "ls_provider": "openai",
            "ls_model_name": "gpt-4o-mini",
            "user": "bench",
            "usage_metadata": {"input_tokens": 210, "output_tokens": 95, "total_tokens": 305},
        },
        "runtime": {"sdk": "langsmith-py", "sdk_version": "0.15.1"},
    }
)


def _part(name: str, data: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n'
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        + data
        + b"\r\n"
    )


def make_body() -> bytes:
    chunks = []
    now = dt.datetime.now(dt.UTC)
    for _ in range(RUNS_PER_REQUEST // RUNS_PER_TRACE):
        root_id = str(uuid.uuid4())
        root_dotted = now.strftime("%Y%m%dT%H%M%S%fZ") + root_id
        for i in range(RUNS_PER_TRACE):
            run_id = root_id if i == 0 else str(uuid.uuid4())
            dotted = root_dotted if i == 0 else root_dotted + "." + now.strftime("%Y%m%dT%H%M%S%fZ") + run_id
            main = {
                "id": run_id,
                "trace_id": root_id,
                "dotted_order": dotted,
                "name": f"step-{i}",
                "run_type": "llm" if i else "chain",
                "start_time": now.isoformat(),
                "end_time": (now + dt.timedelta(milliseconds=120)).isoformat(),
                "session_name": "bench",
                "tags": ["bench"],
            }
            if i:
                main["parent_run_id"] = root_id
            chunks += [
                _part(f"post.{run_id}", _encode(main)),
                _part(f"post.{run_id}.inputs", INPUTS),
                _part(f"post.{run_id}.outputs", OUTPUTS),
                _part(f"post.{run_id}.extra", EXTRA),
            ]
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def drive(
    url: str,
    key: str,
    *,
    seconds: float,
    concurrency: int,
    rate: float,
    accepted: list[tuple[float, int]],
    latencies: list[float],
    errors: list[str],
) -> None:
    headers = {"x-api-key": key, "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    start = time.monotonic()
    deadline = start + seconds
    # Open loop when paced: request k is due at start + k / (rate / RUNS_PER_REQUEST).
    interval = RUNS_PER_REQUEST / rate if rate > 0 else 0.0
    next_slot = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def loop() -> None:
            nonlocal next_slot
            while time.monotonic() < deadline:
                if interval:
                    due = start + next_slot * interval
                    next_slot += 1
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if time.monotonic() >= deadline:
                        return
                body = make_body()
                started = time.monotonic()
                response = await client.post(url, content=body, headers=headers)
                done = time.monotonic()
                if response.status_code == 202:
                    latencies.append(done - started)
                    accepted.append((done, RUNS_PER_REQUEST))
                else:
                    errors.append(f"{response.status_code} {response.text[:200]}")

        await asyncio.gather(*(loop() for _ in range(concurrency)))


def sample_landed(ch: ClickHouse, workspace: str, samples: list[tuple[float, int]], stop: threading.Event) -> None:
    while not stop.is_set():
        count = ch.query("SELECT count() FROM runs WHERE workspace_id = %(w)s", {"w": workspace})[0][0]
        samples.append((time.monotonic(), count))
        stop.wait(0.25)


def server_accept_times(log_path: Path, skip: int) -> list[float]:
    """nginx's request_time of every accepted multipart POST after the first `skip` (warm-up): the
    accept latency as the server sees it, without the benchmark client's scheduling delays."""
    times = []
    for line in log_path.read_text(errors="replace").splitlines():
        if '"POST /api/v1/runs/multipart' in line and '" 202 ' in line:
            match = re.search(r" rt=([0-9.]+)", line)
            if match:
                times.append(float(match.group(1)))
    return times[skip:]


def lag_percentiles(accepted: list[tuple[float, int]], landed: list[tuple[float, int]]) -> tuple[float, float]:
    """For run k (in acceptance order): time the landed count reached k minus time k was accepted."""
    times, counts = [t for t, _ in landed], [c for _, c in landed]
    lags, cumulative = [], 0
    for when, n in sorted(accepted):
        cumulative += n
        i = bisect.bisect_left(counts, cumulative)
        if i < len(times):
            lags.append(max(0.0, times[i] - when))
    return percentile(lags, 50), percentile(lags, 99)


def raw_insert_rate(stack: NativeStack, rows_wanted: int) -> float:
    """Insert the same row shape straight into a copy of `runs`, 1000 rows per INSERT."""
    from app.core.clickhouse import ClickHouse
    from app.core.multipart import parse_multipart
    from app.core.settings import QueueSettings, load_settings
    from app.core.tables import RUN_COLUMNS
    from app.platform.ingest.envelope import from_multipart
    from worker.merge import merge, row
    from worker.normalize import normalize_run

    ch = ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)
    ch.command("CREATE TABLE IF NOT EXISTS runs_raw_bench AS runs")
    env = from_multipart(str(uuid.uuid4()), parse_multipart(make_body(), BOUNDARY.encode()))
    template = []
    for run in env.batch.posts:
        record = normalize_run(run, "post", time.time())
        record.workspace_id, record.project_id = env.workspace_id, str(uuid.uuid4())
        state = merge(None, record)
        state.version = 1
        template.append(row(state))
    batch = (template * (1000 // len(template) + 1))[:1000]
    insert = "INSERT INTO runs_raw_bench ({}) VALUES".format(", ".join(RUN_COLUMNS))
    started = time.monotonic()
    inserted = 0
    while inserted < rows_wanted:
        ch.insert(insert, batch)
        inserted += len(batch)
    rate = inserted / (time.monotonic() - started)
    ch.command("DROP TABLE runs_raw_bench")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=5500.0, help="offered runs/s (0: as fast as possible)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds at the start left out of the latency percentiles (cold caches, pools)",
    )
    parser.add_argument("--workers", type=int, default=2, help="queue worker processes")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra setting for the stack's services (repeatable), e.g. PLATFORM_WORKERS=2",
    )
    args = parser.parse_args()

    extra_env = dict(item.split("=", 1) for item in args.env)
    with temporary_stack(queue_workers=args.workers, extra_env=extra_env) as stack:
        key = new_key(stack)
        workspace = httpx.get(f"{stack.url}/api/v1/workspaces", headers={"x-api-key": key}).json()[0]["id"]
        from app.core.clickhouse import ClickHouse
        from app.core.settings import QueueSettings, load_settings

        ch = ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)
        accepted: list[tuple[float, int]] = []
        latencies: list[float] = []
        errors: list[str] = []
        landed: list[tuple[float, int]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=sample_landed, args=(ch, workspace, landed, stop), daemon=True)
        started = time.monotonic()
        sampler.start()
        asyncio.run(
            drive(
                f"{stack.url}/api/v1/runs/multipart",
                key,
                seconds=args.seconds,
                concurrency=args.concurrency,
                rate=args.rate,
                accepted=accepted,
                latencies=latencies,
                errors=errors,
            )
        )
        sent_seconds = time.monotonic() - started
        total = sum(n for _, n in accepted)
        wait_deadline = time.monotonic() + 120
        while (not landed or landed[-1][1] < total) and time.monotonic() < wait_deadline:
            time.sleep(0.25)
        stop.set()
        sampler.join()
        landed_all = landed[-1][1] if landed else 0
        end_to_end_seconds = next((t for t, c in landed if c >= total), float("nan")) - started
        lag50, lag99 = lag_percentiles(accepted, landed)
        warm = sum(1 for when, _ in accepted if when - started < args.warmup)
        server_times = server_accept_times(stack.data_dir / "logs" / "nginx-access.log", warm)
        latencies = [lat for (when, _), lat in zip(accepted, latencies, strict=True) if when - started >= args.warmup]
        raw = raw_insert_rate(stack, min(100_000, max(10_000, total)))

    e2e = 0.0 if math.isnan(end_to_end_seconds) else total / end_to_end_seconds
    figures = {
        "seconds": round(sent_seconds, 1),
        "offered_runs_per_s": args.rate or "max",
        "warmup_seconds_excluded_from_latency": args.warmup,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "runs_accepted": total,
        "runs_landed": landed_all,
        "errors": len(errors),
        "accepted_runs_per_s": round(total / sent_seconds),
        "end_to_end_runs_per_s": round(e2e),
        "accept_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "accept_p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "server_accept_p50_ms": round(percentile(server_times, 50) * 1000, 1),
        "server_accept_p99_ms": round(percentile(server_times, 99) * 1000, 1),
        "lag_p50_s": round(lag50, 2),
        "lag_p99_s": round(lag99, 2),
        "raw_clickhouse_rows_per_s": round(raw),
        "end_to_end_share_of_raw": round(e2e / raw, 3) if raw else None,
    }
    print_figures(figures, args.json)
    if errors and not args.json:
        print(f"first error: {errors[0]}")
    return 0 if not errors and landed_all >= total else 1


if __name__ == "__main__":
    sys.exit(main())
