"""Read-side latency over a large synthetic corpus, through nginx and the real API.

    ./tracehouse bench query [--runs 10000000] [--projects 100] [--repeat 20] [--json]

The loader writes straight into ClickHouse with INSERT … SELECT FROM numbers() (generating 10 M
rows in Python would take longer than the benchmark): traces of 5 runs (a chain root with llm and
tool children) over 30 days and 100 projects, ~0.6 KB of inputs/outputs text per run drawn from a
fixed vocabulary, token counts on llm runs, 2 % errors, plus one trace of 1,000 runs. Then it times,
through the API, p50/p99 of:

- list: a project's latest 100 root runs (POST /runs/query, what the runs table shows);
- filtered: `and(eq(run_type, "llm"), gt(latency, 2))` in a project;
- search: a full-text `search("…")` in a project;
- trace: all 1,000 runs of one trace;
- stats: a project with include_stats (GET /sessions/{id}).
"""

from __future__ import annotations

import argparse
import sys
import time

import httpx
from _stack import new_key, pct, print_figures, temporary_stack, timed

WORDS = [
    "the", "model", "answered", "question", "about", "quarterly", "revenue", "customer", "support", "ticket",
    "refund", "policy", "shipping", "delay", "invoice", "account", "password", "reset", "upgrade", "plan",
    "summary", "report", "table", "chart", "email", "draft", "translate", "french", "german", "code",
    "python", "function", "error", "stack", "trace", "database", "query", "index", "latency", "cache",
]  # fmt: skip

# {n} runs from {offset}; project ids come from the array parameter; 5 runs per trace.
LOAD_SQL = """
INSERT INTO runs (workspace_id, project_id, id, trace_id, parent_run_id, dotted_order, name, run_type, status,
    start_time, end_time, latency_seconds, first_token_time, tags, metadata, thread_id, reference_example_id,
    model_name, model_provider, prompt_tokens, completion_tokens, total_tokens, prompt_cost, completion_cost,
    total_cost, inputs, outputs, error, extra, events, serialized, attachments, received_at, version,
    inputs_preview, outputs_preview, error_preview)
SELECT
    toUUID(%(workspace)s) AS workspace_id,
    toUUID(%(projects)s[1 + (intDiv(n, 5) %% length(%(projects)s))]) AS project_id,
    toUUID(concat('00000000-0000-4000-8000-', leftPad(lower(hex(n)), 12, '0'))) AS id,
    toUUID(concat('00000000-0000-4000-8000-', leftPad(lower(hex(n - n %% 5)), 12, '0'))) AS trace_id,
    if(n %% 5 = 0, NULL, trace_id) AS parent_run_id,
    if(n %% 5 = 0, root_segment, concat(root_segment, '.', formatDateTime(start_time, '%%Y%%m%%dT%%H%%i%%S')
        , leftPad(toString(toUnixTimestamp64Micro(start_time) %% 1000000), 6, '0'), 'Z', toString(id)))
        AS dotted_order,
    concat(['agent', 'llm', 'tool', 'llm', 'retriever'][1 + n %% 5], '-', toString(intDiv(n, 5) %% 50)) AS name,
    ['chain', 'llm', 'tool', 'llm', 'retriever'][1 + n %% 5] AS run_type,
    if(cityHash64(n, 'err') %% 50 = 0, 'error', 'success') AS status,
    toDateTime64('2026-10-01 00:00:00', 6, 'UTC') + toIntervalMicrosecond(intDiv(n, 5) * 250000 + (n %% 5) * 1000)
        AS start_time,
    start_time + toIntervalMillisecond(cityHash64(n, 'lat') %% 5000) AS end_time,
    (cityHash64(n, 'lat') %% 5000) / 1000 AS latency_seconds,
    NULL AS first_token_time,
    if(n %% 5 = 0 AND cityHash64(n, 'tag') %% 10 = 0, ['beta'], []) AS tags,
    map('user', toString(cityHash64(n, 'user') %% 1000)) AS metadata,
    NULL AS thread_id, NULL AS reference_example_id,
    if(n %% 5 IN (1, 3), 'gpt-4o-mini', '') AS model_name, if(n %% 5 IN (1, 3), 'openai', '') AS model_provider,
    if(n %% 5 IN (1, 3), 100 + cityHash64(n, 'p') %% 900, 0) AS prompt_tokens,
    if(n %% 5 IN (1, 3), 20 + cityHash64(n, 'c') %% 300, 0) AS completion_tokens,
    prompt_tokens + completion_tokens AS total_tokens,
    NULL AS prompt_cost, NULL AS completion_cost, NULL AS total_cost,
    concat('{"question":"', arrayStringConcat(arrayMap(i -> %(words)s[1 + cityHash64(n, i) %% length(%(words)s)],
        range(45)), ' '), if(cityHash64(n, 'needle') %% 1000 = 0, ' zanzibar', ''), '"}') AS inputs,
    concat('{"answer":"', arrayStringConcat(arrayMap(i -> %(words)s[1 + cityHash64(n, i, 'o') %% length(%(words)s)],
        range(45)), ' '), '"}') AS outputs,
    if(status = 'error', 'ValueError(\\'synthetic\\')', NULL) AS error,
    '{"metadata":{}}' AS extra, '[]' AS events, '' AS serialized, [] AS attachments,
    now64(3) AS received_at, 1 AS version,
    -- The previews ingest stores (app/core/previews.py): the question's / answer's text (single
    -- spaced words, nothing to escape), clipped to 240 characters; the error's one line, or ''.
    if(lengthUTF8(JSONExtractString(inputs, 'question')) <= 240, JSONExtractString(inputs, 'question'),
        concat(leftUTF8(JSONExtractString(inputs, 'question'), 239), '…')) AS inputs_preview,
    if(lengthUTF8(JSONExtractString(outputs, 'answer')) <= 240, JSONExtractString(outputs, 'answer'),
        concat(leftUTF8(JSONExtractString(outputs, 'answer'), 239), '…')) AS outputs_preview,
    ifNull(error, '') AS error_preview
FROM (
    SELECT number + %(offset)s AS n,
           concat(formatDateTime(toDateTime64('2026-10-01 00:00:00', 6, 'UTC')
               + toIntervalMicrosecond(intDiv(n, 5) * 250000), '%%Y%%m%%dT%%H%%i%%S'),
               leftPad(toString((intDiv(n, 5) * 250000) %% 1000000), 6, '0'), 'Z',
               concat('00000000-0000-4000-8000-', leftPad(lower(hex(n - n %% 5)), 12, '0'))) AS root_segment
    FROM numbers(%(count)s)
)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from app.core.clickhouse import ClickHouse
    from app.core.settings import QueueSettings, load_settings

    with temporary_stack(queue_workers=1) as stack:
        key = new_key(stack)
        api = httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}, timeout=120)
        workspace = api.get("/workspaces").json()[0]["id"]
        projects = [api.post("/sessions", json={"name": f"bench-{i:03}"}).json()["id"] for i in range(args.projects)]
        ch = ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)
        started = time.monotonic()
        chunk = 1_000_000
        for offset in range(0, args.runs, chunk):
            ch.command(
                LOAD_SQL,
                {
                    "workspace": workspace,
                    "projects": projects,
                    "words": WORDS,
                    "offset": offset,
                    "count": min(chunk, args.runs - offset),
                },
            )
            print(
                f"# loaded {min(offset + chunk, args.runs):,} runs ({time.monotonic() - started:.0f}s)", file=sys.stderr
            )
        # One trace of 1,000 runs (a long agent loop) in the first project.
        big = args.runs + 5_000_000  # ids far from the corpus
        ch.command(
            LOAD_SQL.replace("intDiv(n, 5)", "intDiv(n, 1000)")
            .replace("n %% 5", "n %% 1000")
            .replace("n - n %% 1000", "n - n %% 1000"),
            {"workspace": workspace, "projects": projects[:1], "words": WORDS, "offset": big, "count": 1000},
        )
        load_seconds = time.monotonic() - started
        rows = ch.query("SELECT count() FROM runs")[0][0]
        big_trace = ch.query(
            "SELECT trace_id FROM runs WHERE parent_run_id IS NULL AND id = toUUID(concat("
            "'00000000-0000-4000-8000-', leftPad(lower(hex(%(n)s)), 12, '0')))",
            {"n": big},
        )[0][0]

        def project(i: int) -> str:
            return projects[i % len(projects)]

        results = {
            "list": timed(
                lambda i: api.post(
                    "/runs/query", json={"session": [project(i)], "is_root": True, "limit": 100}
                ).raise_for_status(),
                args.repeat,
            ),
            "filtered": timed(
                lambda i: api.post(
                    "/runs/query",
                    json={
                        "session": [project(i)],
                        "filter": 'and(eq(run_type, "llm"), gt(latency, 2))',
                        "limit": 100,
                    },
                ).raise_for_status(),
                args.repeat,
            ),
            "search": timed(
                lambda i: api.post(
                    "/runs/query", json={"session": [project(i)], "filter": 'search("zanzibar")', "limit": 100}
                ).raise_for_status(),
                args.repeat,
            ),
            "trace": timed(lambda i: _check_trace(api, str(big_trace)), args.repeat),
            "stats": timed(
                lambda i: api.get(f"/sessions/{project(i)}", params={"include_stats": True}).raise_for_status(),
                args.repeat,
            ),
        }
    figures = {"runs": rows, "projects": args.projects, "load_seconds": round(load_seconds, 1)}
    for name, values in results.items():
        figures[f"{name}_p50_ms"] = round(pct(values, 50), 1)
        figures[f"{name}_p99_ms"] = round(pct(values, 99), 1)
    print_figures(figures, args.json)
    return 0


def _check_trace(api: httpx.Client, trace_id: str) -> None:
    response = api.post(
        "/runs/query",
        json={
            "trace": trace_id,
            "limit": 1000,
            "order": "asc",
            "select": ["name", "run_type", "status", "parent_run_id", "end_time"],
        },
    )
    response.raise_for_status()
    assert len(response.json()["runs"]) == 1000, len(response.json()["runs"])


if __name__ == "__main__":
    sys.exit(main())
