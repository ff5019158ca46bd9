"""The code style is part of the build: ruff (configured in pyproject.toml) must pass."""

from __future__ import annotations

from tests.conftest import python_module


def test_ruff_check_passes() -> None:
    result = python_module("ruff", "check", "app", "worker", "playground", "tooling", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr
