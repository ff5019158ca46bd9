"""How fast the web UI paints over a large project, measured in a real browser (Debian's chromium).

    ./tracehouse bench ui [--runs 1000000] [--repeat 20] [--pages 20] [--json]

A throwaway stack gets one project of --runs runs (traces of 5, loaded straight into ClickHouse
with bench/query.py's generator: --runs / 5 traces over a month) and an admin who logs in through
the login page. Then, headless at 1280x900, each figure is p50/p99 over --repeat fresh tabs
(browser cache warm after the first visit, as for anyone who uses the UI daily; the very first,
cold visit is reported on its own):

- runs table: from navigation start to 100 rows on screen with the default columns, input and
  output previews included (the issue's target: < 1 s; a fresh browser has no stored column
  choice, and the wait checks the preview cells are there);
- sorted: the runs table sorted by latency and by cost (`?sort=`), from navigation start to 100
  rows on screen, max(3, --repeat / 4) tabs each (root runs sorted by cost order whole traces'
  totals, the heaviest sort there is);
- paging: from clicking "Next" to the next 100 rows on screen, --pages times in a row
  (page --pages is 2,000 traces deep: the cursor keeps each page as cheap as the first);
- trace: from navigation start to a 5-run trace's tree and detail panel on screen.

Times come from the page's own clock (performance.now()), polled every animation frame.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import httpx
from _stack import new_key, pct, print_figures, temporary_stack
from query import LOAD_SQL, WORDS

EMAIL = "bench@example.com"
PASSWORD = "bench-password-123"
ROWS = "main table tbody tr"
PREVIEW = "td.run-preview"  # the Input/Output cells, on by default
BIG_TRACE = 1000
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def load(stack: Any, api: httpx.Client, runs: int) -> tuple[str, str, str, str]:
    from app.core.clickhouse import ClickHouse
    from app.core.settings import QueueSettings, load_settings

    workspace = api.get("/workspaces").raise_for_status().json()[0]["id"]
    project = api.post("/sessions", json={"name": "bench-ui"}).raise_for_status().json()["id"]
    ch = ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)
    started = time.monotonic()
    chunk = 1_000_000
    for offset in range(0, runs, chunk):
        params = {"workspace": workspace, "projects": [project], "words": WORDS, "offset": offset}
        ch.command(LOAD_SQL, {**params, "count": min(chunk, runs - offset)})
    # One agent-loop trace of BIG_TRACE runs (as bench/query.py makes), ids far from the corpus.
    big = (runs + 5_000_000) // BIG_TRACE * BIG_TRACE
    ch.command(
        LOAD_SQL.replace("intDiv(n, 5)", f"intDiv(n, {BIG_TRACE})").replace("n %% 5", f"n %% {BIG_TRACE}"),
        {"workspace": workspace, "projects": [project], "words": WORDS, "offset": big, "count": BIG_TRACE},
    )
    print(f"# loaded {runs + BIG_TRACE:,} runs ({time.monotonic() - started:.0f}s)", file=sys.stderr)
    trace = api.post("/runs/query", json={"session": [project], "is_root": True, "limit": 1, "select": ["id"]})
    big_root = f"00000000-0000-4000-8000-{big:012x}"
    return workspace, project, trace.raise_for_status().json()["runs"][0]["id"], big_root


def rows_ready(page: Any, minimum: int, first_id: str | None = None) -> float:
    """Wait until `minimum` rows are shown (and, if given, the first row changed); returns ms since navigation."""
    page.wait_for_function(
        """([selector, preview, minimum, first]) => {
            const rows = document.querySelectorAll(selector);
            return rows.length >= minimum && rows[0].querySelector(preview) !== null
                && (first === null || rows[0].textContent !== first);
        }""",
        arg=[ROWS, PREVIEW, minimum, first_id],
        polling="raf",
        timeout=30_000,
    )
    return float(page.evaluate("performance.now()"))


def measure(
    url: str, *, workspace: str, project: str, trace: str, big_trace: str, repeat: int, pages: int
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    runs_url = f"{url}/o/{workspace}/projects/p/{project}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        login = context.new_page()
        login.goto(f"{url}/login")
        login.get_by_label("Email").fill(EMAIL)
        login.get_by_label("Password").fill(PASSWORD)
        login.get_by_role("button", name="Log in").click()
        login.wait_for_url("**/projects")
        login.close()

        table: list[float] = []
        for _ in range(repeat + 1):
            tab = context.new_page()
            tab.goto(runs_url, wait_until="commit")
            table.append(rows_ready(tab, 100) / 1000)
            tab.close()
        cold, table = table[0], table[1:]

        sorted_times: dict[str, list[float]] = {"latency": [], "total_cost": []}
        for by, times in sorted_times.items():
            for _ in range(max(3, repeat // 4)):
                tab = context.new_page()
                tab.goto(f"{runs_url}?sort={by}", wait_until="commit")
                times.append(rows_ready(tab, 100) / 1000)
                tab.close()

        paging: list[float] = []
        tab = context.new_page()
        tab.goto(runs_url)
        rows_ready(tab, 100)
        for _ in range(pages):
            first = tab.locator(ROWS).first.text_content()
            started = float(tab.evaluate("performance.now()"))
            tab.get_by_role("button", name="Next page").click()
            paging.append((rows_ready(tab, 100, first) - started) / 1000)
        tab.close()

        trace_times: list[float] = []
        for _ in range(repeat):
            tab = context.new_page()
            tab.goto(f"{runs_url}/r/{trace}", wait_until="commit")
            tab.wait_for_function(
                "() => document.querySelectorAll('[role=treeitem]').length >= 5", polling="raf", timeout=30_000
            )
            trace_times.append(float(tab.evaluate("performance.now()")) / 1000)
            tab.close()
        big: list[float] = []
        for _ in range(max(3, repeat // 4)):
            tab = context.new_page()
            tab.goto(f"{runs_url}/r/{big_trace}", wait_until="commit")
            tab.wait_for_function(
                "() => document.querySelector('[aria-label=\"Trace tree\"][aria-busy=false]') !== null"
                " && document.querySelectorAll('[role=treeitem]').length >= 20",
                polling="raf",
                timeout=60_000,
            )
            big.append(float(tab.evaluate("performance.now()")) / 1000)
            tab.close()
        browser.close()
    return {
        "runs_table_cold_ms": round(cold * 1000, 1),
        "runs_table_p50_ms": round(pct(table, 50), 1),
        "runs_table_p99_ms": round(pct(table, 99), 1),
        **{f"sorted_by_{by}_p50_ms": round(pct(times, 50), 1) for by, times in sorted_times.items()},
        "next_page_p50_ms": round(pct(paging, 50), 1),
        "next_page_p99_ms": round(pct(paging, 99), 1),
        "trace_view_p50_ms": round(pct(trace_times, 50), 1),
        "trace_view_p99_ms": round(pct(trace_times, 99), 1),
        f"trace_{BIG_TRACE}_runs_p50_ms": round(pct(big, 50), 1),
        f"trace_{BIG_TRACE}_runs_max_ms": round(max(big) * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with temporary_stack(queue_workers=1) as stack:
        key = new_key(stack)
        api = httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}, timeout=120)
        api.post("/users", json={"email": EMAIL, "password": PASSWORD, "role": "admin"}).raise_for_status()
        workspace, project, trace, big_trace = load(stack, api, args.runs)
        figures = {
            "runs": args.runs,
            **measure(
                stack.url,
                workspace=workspace,
                project=project,
                trace=trace,
                big_trace=big_trace,
                repeat=args.repeat,
                pages=args.pages,
            ),
        }
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
