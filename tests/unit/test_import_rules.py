"""The architecture as import rules, read from the code itself (no module is imported).

Each service is a room: it may import the shared core, its own package, and the seams declared
below, nothing else of ours. The core imports no service, and no service imports the tooling (the
CLI and the native supervisor run services; services never run them). docs/architecture.md draws
the same rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Top-level names of our own code; anything else (stdlib, third party) is not checked here.
OURS = ("app", "worker", "playground", "tooling")

# package -> what it may import besides itself. A prefix allows that module and everything below it.
ROOMS: dict[str, tuple[str, ...]] = {
    "app.core": (),
    "app.migrate": ("app.core",),
    "app.backend": ("app.core",),
    "app.platform": ("app.core",),
    "worker": ("app.core",),
    # The playground runs prompts over datasets and hub prompts: it reads them through the one
    # module the backend publishes for it, and nothing else of the backend.
    "playground": ("app.core", "app.backend.seam"),
    # The supervisor starts everything and shares the services' SQL and settings.
    "tooling": ("app",),
}


def _package_of(module: str) -> str | None:
    return next((room for room in sorted(ROOMS, key=len, reverse=True) if _within(module, room)), None)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute import of our own code in the file, with its line, including the ones made
    inside functions (a late import is still a dependency)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from app.core import redis_keys` imports app.core.redis_keys when that is a module.
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield node.lineno, candidate if _is_module(candidate) else node.module


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _sources() -> list[Path]:
    """Our modules, without the bare `app` package marker (it holds no code)."""
    paths = (p for top in OURS for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(p for p in paths if _module_name(p) != "app")


def violations() -> list[str]:
    found = []
    for path in _sources():
        module = _module_name(path)
        room = _package_of(module)
        if room is None:
            found.append(f"{path.relative_to(ROOT)} is in no room: add its package to ROOMS")
            continue
        allowed = (room, *ROOMS[room])
        for line, imported in _imports(path):
            if imported.split(".")[0] not in OURS:
                continue
            if not any(_within(imported, a) for a in allowed):
                found.append(f"{path.relative_to(ROOT)}:{line} ({room}) imports {imported}")
    return found


def test_services_import_only_the_core_and_declared_seams() -> None:
    assert violations() == []


def test_handlers_are_not_libraries() -> None:
    """A `routes` module holds request handlers; only its service's app (`main.py`) registers them.
    Code that other modules need lives in the resource's service module instead."""
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in _sources()
        if path.name != "main.py"
        for line, imported in _imports(path)
        if imported.split(".")[0] in OURS and imported.rsplit(".", 1)[-1] == "routes"
    ]
    assert found == []


@pytest.mark.parametrize(
    ("module", "imported", "allowed"),
    [
        ("app.core.settings", "playground.egress", False),
        ("app.core.healthcheck", "worker.__main__", False),
        ("playground.prompts", "app.backend.prompts.queries", False),
        ("playground.prompts", "app.backend.seam", True),
        ("worker.writer", "app.core.redis_keys", True),
        ("app.backend.runs.routes", "tooling.runner.stack", False),
        ("tooling.cli", "app.platform.login.throttle", True),
    ],
)
def test_the_rules_say_what_they_mean(module: str, imported: str, allowed: bool) -> None:
    room = _package_of(module)
    assert room is not None
    assert any(_within(imported, a) for a in (room, *ROOMS[room])) is allowed
