"""Type checking is part of the build: mypy (configured in pyproject.toml's [tool.mypy]) must pass."""

from __future__ import annotations

from tests.conftest import python_module


def test_mypy_passes() -> None:
    result = python_module("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
