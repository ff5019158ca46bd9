"""The unit tier: no stores, no services, no network. `./tracehouse test tests/unit` runs it in
seconds on a machine with nothing installed beyond the Python dependencies."""

from __future__ import annotations

from pathlib import Path

import pytest

UNIT_DIR = Path(__file__).parent
STACK_FIXTURES = {"stack", "appliance"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UNIT_DIR in Path(item.path).parents and STACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid} needs the stack: move it out of the unit tier")
