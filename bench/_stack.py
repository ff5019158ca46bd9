"""Shared by benchmarks: a throwaway native stack (same runner as `./tracehouse up` and the tests)
in a temp dir on free ports, so a benchmark never touches a developer's data."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from app.runner.keys import create_key  # noqa: E402
from app.runner.stack import NativeStack  # noqa: E402
from app.runner.stores import free_port, remove_tree  # noqa: E402


@contextlib.contextmanager
def temporary_stack(**kw: object) -> Iterator[NativeStack]:
    data_dir = Path(tempfile.mkdtemp(prefix="tracehouse-bench-"))
    data_dir.chmod(0o711)
    stack = NativeStack(
        data_dir,
        frontend_port=free_port(),
        env_file=REPO_ROOT / ".env.example",
        log=lambda m: print(f"# {m}", file=sys.stderr),
        **kw,
    )  # type: ignore[arg-type]
    try:
        stack.up()
        yield stack
    finally:
        stack.down(quiet=True)
        remove_tree(data_dir)


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
