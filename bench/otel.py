"""OTLP span ingestion, end to end, against Tracehouse and (side by side, same machine, same
spans) Arize Phoenix with its default storage.

    ./tracehouse bench otel [--spans 100000] [--batch 512] [--concurrency 4] [--no-phoenix] [--json]

Spans are GenAI-shaped (traces of 5: an agent span with chat and tool children, ~1.5 KB of
attributes each), encoded once as OTLP protobuf ExportTraceServiceRequests of --batch spans, and
posted to each system's OTLP/HTTP endpoint by concurrent clients. End to end means until the
spans are queryable: rows in ClickHouse for Tracehouse, rows in Phoenix's SQLite `spans` table.
Phoenix is installed into its own virtualenv on first use (`bench/.phoenix-venv`) and run as
`phoenix serve` on a free port with a temporary working directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from _stack import new_key, print_figures, temporary_stack
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

HERE = Path(__file__).resolve().parent
PHOENIX_VENV = Path(os.environ.get("PHOENIX_VENV", HERE / ".phoenix-venv"))
PROMPT = "Summarise the customer's last three orders and suggest a follow-up. " * 6
ANSWER = "The customer ordered shoes twice and a jacket; suggest matching socks. " * 6


def _attr(key: str, value: object) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


def make_batches(total: int, batch: int) -> list[bytes]:
    now = time.time_ns()
    spans: list[Span] = []
    for t in range(total // 5):
        trace_id = uuid.uuid4().bytes
        root_id = uuid.uuid4().bytes[:8]
        start = now + t * 1_000_000
        spans.append(
            Span(
                trace_id=trace_id,
                span_id=root_id,
                name="agent",
                start_time_unix_nano=start,
                end_time_unix_nano=start + 900_000_000,
                attributes=[
                    _attr("gen_ai.operation.name", "invoke_agent"),
                    _attr("openinference.span.kind", "AGENT"),
                    _attr("input.value", PROMPT),
                ],
            )
        )
        for i in range(4):
            llm = i % 2 == 0
            attrs = [
                _attr("gen_ai.operation.name", "chat" if llm else "execute_tool"),
                _attr("openinference.span.kind", "LLM" if llm else "TOOL"),
            ]
            if llm:
                attrs += [
                    _attr("gen_ai.system", "openai"),
                    _attr("gen_ai.request.model", "gpt-4o-mini"),
                    _attr("gen_ai.prompt.0.role", "user"),
                    _attr("gen_ai.prompt.0.content", PROMPT),
                    _attr("gen_ai.completion.0.role", "assistant"),
                    _attr("gen_ai.completion.0.content", ANSWER),
                    _attr("input.value", PROMPT),
                    _attr("output.value", ANSWER),
                    _attr("gen_ai.usage.input_tokens", 120),
                    _attr("gen_ai.usage.output_tokens", 40),
                ]
            else:
                attrs += [_attr("input.value", '{"sku": "A-1"}'), _attr("output.value", '{"stock": 3}')]
            child_start = start + (i + 1) * 100_000_000
            spans.append(
                Span(
                    trace_id=trace_id,
                    span_id=uuid.uuid4().bytes[:8],
                    parent_span_id=root_id,
                    name="chat" if llm else "lookup",
                    start_time_unix_nano=child_start,
                    end_time_unix_nano=child_start + 80_000_000,
                    attributes=attrs,
                )
            )
    bodies = []
    for i in range(0, len(spans), batch):
        request = ExportTraceServiceRequest(
            resource_spans=[
                ResourceSpans(
                    resource={"attributes": [_attr("service.name", "bench")]},
                    scope_spans=[ScopeSpans(spans=spans[i : i + batch])],
                )
            ]
        )
        bodies.append(request.SerializeToString())
    return bodies


async def send(url: str, headers: dict[str, str], bodies: list[bytes], concurrency: int) -> tuple[float, int]:
    queue = list(reversed(bodies))
    errors = 0
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def worker() -> None:
            nonlocal errors
            while queue:
                body = queue.pop()
                response = await client.post(
                    url, content=body, headers={**headers, "content-type": "application/x-protobuf"}
                )
                if response.status_code >= 300:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.monotonic() - started, errors


def wait_until(count: Callable[[], int], total: int, timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count() >= total:
            return time.monotonic()
        time.sleep(0.25)
    raise RuntimeError(f"only {count()} of {total} spans became queryable in {timeout:.0f}s")


def tracehouse_run(bodies: list[bytes], total: int, concurrency: int) -> dict[str, float]:
    from app.core.clickhouse import ClickHouse
    from app.core.settings import QueueSettings, load_settings

    with temporary_stack(queue_workers=2) as stack:
        key = new_key(stack)
        ch = ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)
        started = time.monotonic()
        seconds, errors = asyncio.run(send(f"{stack.url}/otel/v1/traces", {"x-api-key": key}, bodies, concurrency))
        done = wait_until(lambda: ch.query("SELECT count() FROM runs")[0][0], total)
    return {"accept_spans_per_s": total / seconds, "end_to_end_spans_per_s": total / (done - started), "errors": errors}


def ensure_phoenix() -> Path:
    python = PHOENIX_VENV / "bin" / "python"
    if not python.exists():
        print("# installing arize-phoenix into bench/.phoenix-venv (first run only)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PHOENIX_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "arize-phoenix"], check=True)
    return python


def phoenix_run(bodies: list[bytes], total: int, concurrency: int) -> dict[str, float]:
    from tooling.runner.stores import free_port

    python = ensure_phoenix()
    workdir = Path(tempfile.mkdtemp(prefix="phoenix-bench-"))
    port, grpc_port = free_port(), free_port()
    env = {
        **os.environ,
        "PHOENIX_WORKING_DIR": str(workdir),
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(grpc_port),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    log = open(workdir / "phoenix.log", "wb")
    process = subprocess.Popen(
        [str(python), "-m", "phoenix.server.main", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"phoenix did not start; see {workdir / 'phoenix.log'}")
            time.sleep(0.5)
        database = next(workdir.glob("*.db"))

        def count() -> int:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM spans").fetchone()[0]

        started = time.monotonic()
        seconds, errors = asyncio.run(send(f"http://127.0.0.1:{port}/v1/traces", {}, bodies, concurrency))
        done = wait_until(count, total)
        return {
            "accept_spans_per_s": total / seconds,
            "end_to_end_spans_per_s": total / (done - started),
            "errors": errors,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-phoenix", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    total = args.spans - args.spans % 5
    bodies = make_batches(total, args.batch)
    figures: dict[str, object] = {"spans": total, "batch": args.batch, "concurrency": args.concurrency}
    ours = tracehouse_run(bodies, total, args.concurrency)
    figures.update({f"tracehouse_{k}": round(v) for k, v in ours.items()})
    if not args.no_phoenix:
        theirs = phoenix_run(bodies, total, args.concurrency)
        figures.update({f"phoenix_{k}": round(v) for k, v in theirs.items()})
        figures["end_to_end_ratio"] = round(ours["end_to_end_spans_per_s"] / theirs["end_to_end_spans_per_s"], 2)
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
