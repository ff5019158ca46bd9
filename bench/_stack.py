"""Shared by benchmarks: a throwaway native stack (same runner as `./tracehouse up` and the tests)
in a temp dir on free ports, so a benchmark never touches a developer's data."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tooling.runner import stack as runner  # noqa: E402
from tooling.runner.keys import create_key  # noqa: E402
from tooling.runner.stack import NativeStack  # noqa: E402


def temporary_stack(**kw: Any) -> AbstractContextManager[NativeStack]:
    return runner.temporary_stack("tracehouse-bench-", log=lambda m: print(f"# {m}", file=sys.stderr), **kw)


def new_key(stack: NativeStack, workspace: str = "bench") -> str:
    key, _ = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], workspace, "bench"))
    return key


def print_figures(figures: dict[str, object], as_json: bool) -> None:
    """One JSON object (--json) or an aligned `name  value` table."""
    if as_json:
        print(json.dumps(figures))
        return
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


def timed(fn: Callable[[int], object], repeat: int) -> list[float]:
    """Seconds each of `repeat` calls of fn(i) took."""
    out = []
    for i in range(repeat):
        started = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - started)
    return out


def pct(values: list[float], q: float) -> float:
    """The q-th percentile of `values` (seconds), in milliseconds (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000
