"""Baseline of the request path every API call pays: nginx → app → API-key auth (Redis cache)
→ Postgres, measured end to end from a local client.

    ./tracehouse bench api [--seconds 5] [--concurrency 32]

Prints, per scenario: requests, throughput, latency p50/p99 and errors. The client runs on the
same 2-core machine as the stack, so figures are a floor for the server, not a ceiling. Each
scenario is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import httpx
from _stack import new_key, temporary_stack


async def run_scenario(
    url: str, method: str, headers: dict[str, str], body: object, *, seconds: float, concurrency: int
) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def loop() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await client.request(method, url, json=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code >= 400:
                    errors += 1

        await asyncio.gather(*(loop() for _ in range(concurrency)))
    return len(latencies), errors, latencies


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with temporary_stack() as stack:
        key = new_key(stack)
        api = f"{stack.url}/api/v1"
        auth = {"x-api-key": key}
        httpx.post(f"{api}/sessions", headers=auth, json={"name": "bench"}).raise_for_status()
        scenarios = [
            ("GET /info (no auth, platform)", "GET", f"{api}/info", {}, None),
            ("GET /sessions (key auth + Postgres, backend)", "GET", f"{api}/sessions", auth, None),
            (
                "GET /sessions with an unknown key (401)",
                "GET",
                f"{api}/sessions",
                {"x-api-key": "th_aaaaaaaaaa_" + "A" * 40},
                None,
            ),
        ]
        print(f"concurrency {args.concurrency}, {args.seconds:.0f} s per scenario, client on the same host")
        print(f"{'scenario':<48} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, method, url, headers, body in scenarios:
            expect_errors = "401" in name
            count, errors, latencies = asyncio.run(
                run_scenario(url, method, headers, body, seconds=args.seconds, concurrency=args.concurrency)
            )
            shown_errors = "n/a" if expect_errors else str(errors)
            print(
                f"{name:<48} {count:>9} {count / args.seconds:>8.0f} {percentile(latencies, 50) * 1000:>8.1f} "
                f"{percentile(latencies, 99) * 1000:>8.1f} {shown_errors:>7}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
