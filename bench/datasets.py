"""Datasets at scale: example upload and listing, and the experiment comparison view, via the API.

Everything goes through nginx and the real API of a throwaway stack.

    ./tracehouse bench datasets [--examples 10000] [--experiments 3] [--repeat 100] [--json]

Examples are deterministic: ~0.5 KB of inputs/outputs text each drawn from a fixed vocabulary,
and metadata {"bucket": i % 10, "rank": i} for the filter. The workspace first gets one ordinary
project, as any workspace that has traced has (without one the SDK's list_examples asks
GET /sessions?limit=1 once per example it yields, to learn the tenant id). Measured, in order:

- upload with the official SDK: `client.create_examples` of --examples examples into a new dataset
  (the SDK sends them multipart to /platform/datasets/{id}/examples in ≤ 20 MB batches, each one
  dataset version), then the same number into a second dataset as raw `POST /examples/bulk` JSON
  arrays of 500 (what older SDKs send): examples/s and seconds for each;
- listing the first dataset with the SDK (`list(client.list_examples(...))`, offset pages of 100):
  everything now (the `examples` table), and as of the version right after the first upload batch
  (each example's newest revision at that point, from the `example_revisions` history; 10,000
  examples fit one batch, so that is all of them): examples/s and seconds;
- p50/p99 of one page, `GET /examples?dataset=…&limit=100&offset=K` at random K, plain and with
  `filter=and(eq(metadata.bucket, 3), gt(metadata.rank, 100))`.

Then --experiments experiments on the first dataset (`POST /sessions` with reference_dataset_id),
each with one root run per example plus two feedback rows per run ("correctness" 0/1,
"helpfulness" 0..1), written straight into ClickHouse (ingestion is what `bench ingest` measures).
Timed, p50/p99 at random offsets K: the comparison view `POST /datasets/{id}/compare` (all
experiments, 50 examples a page; its first answer is checked against what was written: total, run
counts, correctness averages and the page's cells) and the SDK's deprecated
`POST /datasets/{id}/runs` (one experiment, 100 examples a page).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import uuid
from decimal import Decimal
from typing import Any

import httpx
from _stack import new_key, pct, print_figures, temporary_stack, timed

WORDS = [
    "the", "model", "answered", "question", "about", "quarterly", "revenue", "customer", "support", "ticket",
    "refund", "policy", "shipping", "delay", "invoice", "account", "password", "reset", "upgrade", "plan",
    "summary", "report", "table", "chart", "email", "draft", "translate", "french", "german", "code",
    "python", "function", "error", "stack", "trace", "database", "query", "index", "latency", "cache",
]  # fmt: skip
BULK_SIZE = 500
LIST_PAGE = 100
COMPARE_PAGE = 50
RUNS_PAGE = 100
FILTER = "and(eq(metadata.bucket, 3), gt(metadata.rank, 100))"

RUN_COLUMNS = (
    "workspace_id", "project_id", "id", "trace_id", "parent_run_id", "dotted_order", "name", "run_type", "status",
    "start_time", "end_time", "latency_seconds", "tags", "metadata", "reference_example_id", "model_name",
    "model_provider", "prompt_tokens", "completion_tokens", "total_tokens", "total_cost", "inputs", "outputs",
    "error", "extra", "events", "serialized", "attachments", "received_at", "version",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "workspace_id", "id", "run_id", "trace_id", "project_id", "key", "score", "value", "comment", "correction",
    "feedback_source", "source_type", "feedback_config", "extra", "start_time", "created_at", "modified_at",
    "version",
)  # fmt: skip
INSERT_RUNS = f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES"
INSERT_FEEDBACK = f"INSERT INTO feedback ({', '.join(FEEDBACK_COLUMNS)}) VALUES"


def example_id(dataset: int, i: int) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-8{dataset:03x}-{i:012x}")


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def make_examples(n: int, dataset: int) -> list[dict[str, Any]]:
    rng = random.Random(dataset)
    return [
        {
            "id": example_id(dataset, i),
            "inputs": {"question": text(rng, 38), "context": text(rng, 10)},
            "outputs": {"answer": text(rng, 32)},
            "metadata": {"bucket": i % 10, "rank": i, "source": "bench"},
        }
        for i in range(n)
    ]


def correctness(experiment: int, i: int) -> float:
    """Experiment e is right on (5 + e) of every 10 examples (capped at 9)."""
    return 1.0 if i % 10 < min(5 + experiment, 9) else 0.0


def helpfulness(experiment: int, i: int) -> float:
    return ((i * 31 + experiment * 17) % 101) / 100


def stamp(text_: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text_.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def upload(client: Any, api: httpx.Client, n: int) -> tuple[str, dict[str, float]]:
    """Two datasets of n examples, one through the SDK, one through /examples/bulk."""
    sdk_examples, bulk_examples = make_examples(n, 1), make_examples(n, 2)
    _ = client.info  # the SDK reads /info once to pick its upload path; not part of the upload
    dataset = client.create_dataset("bench-sdk")
    started = time.perf_counter()
    result = client.create_examples(dataset_id=dataset.id, examples=sdk_examples)
    sdk_seconds = time.perf_counter() - started
    if result["count"] != n:
        raise RuntimeError(f"the SDK upload created {result['count']} of {n} examples")

    bulk = api.post("/datasets", json={"name": "bench-bulk"}).raise_for_status().json()["id"]
    started = time.perf_counter()
    for offset in range(0, n, BULK_SIZE):
        chunk = [{**e, "id": str(e["id"]), "dataset_id": bulk} for e in bulk_examples[offset : offset + BULK_SIZE]]
        created = api.post("/examples/bulk", json=chunk).raise_for_status().json()
        if len(created) != len(chunk):
            raise RuntimeError(f"/examples/bulk created {len(created)} of {len(chunk)} examples")
    bulk_seconds = time.perf_counter() - started
    print(f"# uploaded 2 x {n:,} examples ({sdk_seconds:.1f}s SDK, {bulk_seconds:.1f}s bulk)", file=sys.stderr)
    return str(dataset.id), {
        "upload_sdk_seconds": round(sdk_seconds, 2),
        "upload_sdk_examples_per_s": round(n / sdk_seconds),
        "upload_bulk_seconds": round(bulk_seconds, 2),
        "upload_bulk_examples_per_s": round(n / bulk_seconds),
    }


def read(client: Any, api: httpx.Client, dataset: str, n: int, *, repeat: int, rng: random.Random) -> dict[str, Any]:
    started = time.perf_counter()
    examples = list(client.list_examples(dataset_id=dataset))
    list_seconds = time.perf_counter() - started
    if len(examples) != n:
        raise RuntimeError(f"list_examples returned {len(examples)} of {n} examples")

    versions = api.get(f"/datasets/{dataset}/versions", params={"limit": 1000}).raise_for_status().json()
    first = versions[-1]["as_of"]  # newest first
    expected = sum(1 for e in examples if e.modified_at == stamp(first))
    started = time.perf_counter()
    as_of = list(client.list_examples(dataset_id=dataset, as_of=first))
    as_of_seconds = time.perf_counter() - started
    if len(as_of) != expected:
        raise RuntimeError(f"list_examples as of {first} returned {len(as_of)}, expected {expected}")
    print(f"# listed {n:,} examples ({list_seconds:.1f}s), {expected:,} as of {first} ({as_of_seconds:.1f}s)",
          file=sys.stderr)  # fmt: skip

    def page(_: int) -> None:
        offset = rng.randrange(max(1, n - LIST_PAGE + 1))
        got = api.get("/examples", params={"dataset": dataset, "limit": LIST_PAGE, "offset": offset})
        if len(got.raise_for_status().json()) != min(LIST_PAGE, n - offset):
            raise RuntimeError(f"GET /examples at offset {offset} returned {len(got.json())} examples")

    matching = sum(1 for i in range(n) if i % 10 == 3 and i > 100)

    def filtered(_: int) -> None:
        offset = rng.randrange(max(1, matching - LIST_PAGE + 1))
        params = {"dataset": dataset, "limit": LIST_PAGE, "offset": offset, "filter": FILTER}
        got = api.get("/examples", params=params).raise_for_status().json()
        if len(got) != min(LIST_PAGE, max(0, matching - offset)) or any(e["metadata"]["bucket"] != 3 for e in got):
            raise RuntimeError(f"filtered GET /examples at offset {offset} returned {len(got)} examples")

    figures: dict[str, Any] = {
        "upload_sdk_versions": len(versions),
        "list_examples_seconds": round(list_seconds, 2),
        "list_examples_per_s": round(n / list_seconds),
        "list_as_of_examples": expected,
        "list_as_of_seconds": round(as_of_seconds, 2),
        "list_as_of_examples_per_s": round(expected / as_of_seconds),
    }
    for name, fn in (("examples_page", page), ("examples_filtered_page", filtered)):
        values = timed(fn, repeat)
        figures[f"{name}_p50_ms"] = round(pct(values, 50), 1)
        figures[f"{name}_p99_ms"] = round(pct(values, 99), 1)
    return figures


def load_experiments(api: httpx.Client, ch: Any, dataset: str, n: int, count: int) -> tuple[list[str], float]:
    """`count` experiments on the dataset, one root run per example and two feedback rows per run."""
    workspace = api.get("/workspaces").raise_for_status().json()[0]["id"]
    experiments = [
        api.post("/sessions", json={"name": f"bench-experiment-{e}", "reference_dataset_id": dataset})
        .raise_for_status()
        .json()["id"]
        for e in range(count)
    ]
    started = time.perf_counter()
    rng = random.Random(7)
    base = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    now = dt.datetime.now(dt.UTC)
    for e, experiment in enumerate(experiments):
        runs, feedback = [], []
        for i in range(n):
            run_id = uuid.uuid4()
            start = base + dt.timedelta(minutes=e * 10, milliseconds=i * 5)
            latency = 0.2 + rng.random() * 3
            failed = i % 50 == 49
            prompt, completion = 150 + i % 200, 30 + i % 90
            runs.append(
                (
                    workspace, experiment, run_id, run_id, None,
                    start.strftime("%Y%m%dT%H%M%S%fZ") + str(run_id), "target", "chain",
                    "error" if failed else "success", start, start + dt.timedelta(seconds=latency), latency,
                    [], {"experiment": str(e)}, example_id(1, i), "", "",
                    prompt, completion, prompt + completion, Decimal(prompt + 4 * completion) / Decimal(1_000_000),
                    '{"question":"' + text(rng, 20) + '"}', "" if failed else '{"output":"' + text(rng, 30) + '"}',
                    "ValueError('synthetic')" if failed else None, '{"metadata":{}}', "[]", "", [], now, 1,
                )
            )  # fmt: skip
            for key, score in (("correctness", correctness(e, i)), ("helpfulness", helpfulness(e, i))):
                feedback.append(
                    (
                        workspace, uuid.uuid4(), run_id, run_id, experiment, key, score, "", None, "",
                        '{"type":"model"}', "model", "", "", start, now, now, 1,
                    )
                )  # fmt: skip
        ch.insert(INSERT_RUNS, runs)
        ch.insert(INSERT_FEEDBACK, feedback)
    seconds = time.perf_counter() - started
    print(f"# loaded {count} experiments x {n:,} runs, 2 feedback each ({seconds:.1f}s)", file=sys.stderr)
    return experiments, seconds


def check_comparison(body: dict[str, Any], experiments: list[str], n: int) -> None:
    """Fail loudly when the comparison view disagrees with what was written."""
    if body["total"] != n:
        raise RuntimeError(f"compare: total {body['total']}, expected {n}")
    summaries = {s["id"]: s for s in body["experiments"]}
    if list(summaries) != experiments:
        raise RuntimeError(f"compare: experiments {list(summaries)}, expected {experiments}")
    for e, experiment in enumerate(experiments):
        summary = summaries[experiment]
        want = sum(correctness(e, i) for i in range(n)) / n
        got = (summary["feedback"].get("correctness") or {}).get("avg")
        if summary["run_count"] != n or summary["example_count"] != n:
            raise RuntimeError(f"compare: experiment {e} has {summary['run_count']} runs, expected {n}")
        if got is None or abs(got - want) > 1e-9 or summary["feedback"]["correctness"]["n"] != n:
            raise RuntimeError(f"compare: experiment {e} correctness {got} (n={summary['feedback']}), expected {want}")
    rows = body["examples"]
    if len(rows) != min(COMPARE_PAGE, n):
        raise RuntimeError(f"compare: {len(rows)} examples in the page")
    for row in rows:
        i = int(row["id"][-12:], 16)
        for e, experiment in enumerate(experiments):
            cells = row["runs"].get(experiment) or []
            if len(cells) != 1 or cells[0]["feedback"]["correctness"]["avg"] != correctness(e, i):
                raise RuntimeError(f"compare: example {i} experiment {e} cells {cells}")


def compare(
    api: httpx.Client, dataset: str, experiments: list[str], n: int, *, repeat: int, rng: random.Random
) -> dict[str, Any]:
    first = api.post(
        f"/datasets/{dataset}/compare", json={"experiment_ids": experiments, "limit": COMPARE_PAGE, "offset": 0}
    )
    check_comparison(first.raise_for_status().json(), experiments, n)

    def compare_page(_: int) -> None:
        offset = rng.randrange(max(1, n - COMPARE_PAGE + 1))
        body = {"experiment_ids": experiments, "limit": COMPARE_PAGE, "offset": offset}
        got = api.post(f"/datasets/{dataset}/compare", json=body).raise_for_status().json()
        if len(got["examples"]) != min(COMPARE_PAGE, n - offset):
            raise RuntimeError(f"compare at offset {offset} returned {len(got['examples'])} examples")

    def runs_page(_: int) -> None:
        offset = rng.randrange(max(1, n - RUNS_PAGE + 1))
        body = {"session_ids": experiments[:1], "limit": RUNS_PAGE, "offset": offset}
        got = api.post(f"/datasets/{dataset}/runs", json=body).raise_for_status().json()
        if len(got) != min(RUNS_PAGE, n - offset) or any(len(e["runs"]) != 1 for e in got):
            raise RuntimeError(f"POST /datasets/{{id}}/runs at offset {offset}: {len(got)} examples")

    figures: dict[str, Any] = {}
    for name, fn in (("compare_page", compare_page), ("dataset_runs_page", runs_page)):
        values = timed(fn, repeat)
        figures[f"{name}_p50_ms"] = round(pct(values, 50), 1)
        figures[f"{name}_p99_ms"] = round(pct(values, 99), 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--experiments", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.experiments <= 10:
        parser.error("--experiments must be between 1 and 10 (the comparison view's limit)")
    if args.examples < 1:
        parser.error("--examples must be positive")

    from langsmith import Client

    from app.core.clickhouse import ClickHouse
    from app.core.settings import QueueSettings, load_settings

    rng = random.Random(42)
    figures: dict[str, Any] = {"examples": args.examples, "experiments": args.experiments, "repeat": args.repeat}
    with temporary_stack(queue_workers=1) as stack:
        key = new_key(stack)
        api = httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}, timeout=120)
        client = Client(api_url=f"{stack.url}/api/v1", api_key=key, auto_batch_tracing=False, timeout_ms=120_000)
        # Without any project the SDK's list_examples asks GET /sessions?limit=1 for every example.
        api.post("/sessions", json={"name": "bench-default"}).raise_for_status()
        dataset, uploaded = upload(client, api, args.examples)
        figures.update(uploaded)
        figures.update(read(client, api, dataset, args.examples, repeat=args.repeat, rng=rng))
        ch = ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)
        experiments, load_seconds = load_experiments(api, ch, dataset, args.examples, args.experiments)
        figures["load_runs_seconds"] = round(load_seconds, 1)
        figures.update(compare(api, dataset, experiments, args.examples, repeat=args.repeat, rng=rng))
        ch.close()
        client.close()
        api.close()
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
