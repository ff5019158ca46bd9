"""docs/architecture.md tells a newcomer where every endpoint's handlers and SQL live. This holds
its table against the routes the three API services really register, so the map cannot drift
from the code: a new route module, or a path outside its row's prefixes, fails here."""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from pathlib import Path

from litestar import Litestar

from app.backend.main import create_app as create_backend
from app.core.settings import BackendSettings, PlatformSettings, PlaygroundSettings, load_settings
from app.platform.main import create_app as create_platform
from playground.main import create_app as create_playground
from tooling.runner.envfile import parse_env_file

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# Served by the shared HTTP shell or the framework, not by a resource.
NOT_RESOURCES = ("app.core.", "litestar.")
# The table writes paths without this common prefix, except those it writes in full (`/api/v2/...`).
API = "/api/v1"


def _full(prefix: str) -> str:
    return prefix if prefix.startswith("/api/") else API + prefix


def _apps() -> list[Litestar]:
    # The shipped defaults build the apps; nothing connects until a lifespan runs.
    env = parse_env_file(ROOT / ".env.example")
    return [
        create_backend(load_settings(BackendSettings, env)),
        create_platform(load_settings(PlatformSettings, env)),
        create_playground(load_settings(PlaygroundSettings, env)),
    ]


def routes_by_module() -> dict[str, set[str]]:
    """Handler module -> the paths it serves (path parameters without their types)."""
    found: dict[str, set[str]] = defaultdict(set)
    for app in _apps():
        for route in app.routes:
            for handler in getattr(route, "route_handlers", ()):
                module = inspect.getmodule(handler.fn)
                if module is None or module.__name__.startswith(NOT_RESOURCES):
                    continue
                found[module.__name__].add(re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path))
    return found


def _doc_rows() -> dict[str, tuple[list[str], str]]:
    """The endpoint table: handler module path -> (path prefixes, SQL cell)."""
    text = DOC.read_text()
    table = text[text.index("## Where each endpoint lives") :]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith("`") and cells[2].endswith(".py`"):
            rows[cells[2].strip("`")] = (re.findall(r"`([^`]+)`", cells[0]), cells[3])
    return rows


def test_every_route_module_has_a_row_and_every_path_fits_it() -> None:
    rows = _doc_rows()
    missing, astray = [], []
    for module, paths in routes_by_module().items():
        file = module.replace(".", "/") + ".py"
        if file not in rows:
            missing.append(file)
            continue
        prefixes = [_full(x) for x in rows[file][0]]
        astray += [f"{file}: {p}" for p in paths if not any(p == x or p.startswith(x + "/") for x in prefixes)]
    assert missing == [] and astray == []


def test_the_sql_column_names_the_resources_queries_module() -> None:
    for file, (_, sql) in _doc_rows().items():
        queries = Path(file).parent / "queries.py"
        expected = f"`{queries}`" if (ROOT / queries).is_file() else "—"
        assert sql == expected, file
