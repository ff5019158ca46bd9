"""app/core/concurrency.side_by_side: results in call order; a failure surfaces as itself."""

from __future__ import annotations

import anyio
import pytest

from app.core.concurrency import side_by_side
from app.core.errors import StoreUnavailable


def test_results_come_back_in_call_order_and_the_calls_overlap() -> None:
    started: list[str] = []

    async def call(name: str, delay: float) -> str:
        started.append(name)
        await anyio.sleep(delay)
        return name

    async def main() -> list[str]:
        return await side_by_side(lambda: call("slow", 0.05), lambda: call("fast", 0.0))

    assert anyio.run(main) == ["slow", "fast"]
    assert started == ["slow", "fast"]  # both began before either finished


def test_a_failure_is_raised_as_itself_and_cancels_the_rest() -> None:
    finished: list[str] = []

    async def outage() -> None:
        raise StoreUnavailable("clickhouse unavailable: connection refused")

    async def long() -> None:
        await anyio.sleep(5)
        finished.append("long")

    async def main() -> None:
        await side_by_side(long, outage)

    with pytest.raises(StoreUnavailable, match="clickhouse unavailable"):  # not an ExceptionGroup
        anyio.run(main)
    assert finished == []
