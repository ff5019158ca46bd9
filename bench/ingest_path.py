"""The worker's per-record path, stack-free: what one run costs in CPU at each step between an
accepted batch and a `runs` row, on the same SDK-shaped runs as `bench ingest`.

    ./tracehouse bench ingest_path [--rounds 30] [--json]

Steps (microseconds of CPU per run, best round): stage 1 normalises a run (worker/normalize.py)
and encodes its job's stream entry (worker/records.py); stage 2 decodes the entry, merges each
record into a new state and into a known one (worker/merge.py), and builds the row. No Redis, no
ClickHouse: this isolates our code from the stores, for profiling and before/after comparisons.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from _stack import print_figures
from ingest import BOUNDARY, make_body

from app.core.multipart import parse_multipart
from app.platform.ingest.envelope import from_multipart
from worker.merge import merge, row
from worker.normalize import normalize_run
from worker.records import RunRecord, RunState, StreamEntry, decode_entry, encode_entry

REQUESTS_PER_ROUND = 20


def best_per_run(step: Callable[[], object], runs: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        step()
        best = min(best, time.process_time() - started)
    return best / runs * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()

    batches = [from_multipart("w", parse_multipart(make_body(), BOUNDARY.encode())).batch for _ in range(20)]
    runs = [run for batch in batches for run in batch.posts]
    n = len(runs)

    def normalise() -> list[RunRecord]:
        out = [normalize_run(run, "post", 0.0) for run in runs]
        for record in out:
            record.project_id = "p"
        return out

    records = normalise()
    entries = [StreamEntry("w", records[i : i + 100]) for i in range(0, n, 100)]
    encoded = [encode_entry(e) for e in entries]
    decoded = [record for data in encoded for record in decode_entry(data).runs]
    for record in decoded:
        record.workspace_id = "w"
    states = [merge(None, record) for record in decoded]
    for state in states:
        state.version = 1

    def merge_new() -> list[RunState]:
        return [merge(None, record) for record in decoded]

    def merge_known() -> list[RunState]:
        return [merge(state, record) for state, record in zip(states, decoded, strict=True)]

    steps: dict[str, Callable[[], object]] = {
        "normalise": normalise,
        "encode entry": lambda: [encode_entry(e) for e in entries],
        "decode entry": lambda: [decode_entry(data) for data in encoded],
        "merge into nothing": merge_new,
        "merge into a state": merge_known,
        "row": lambda: [row(state) for state in states],
    }
    for step in steps.values():  # warm up
        step()
    figures: dict[str, object] = {"runs per round": n}
    for name, step in steps.items():
        figures[f"{name} (us/run)"] = round(best_per_run(step, n, args.rounds), 2)
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
