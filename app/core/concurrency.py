"""Running independent awaits side by side (a page's queries, a comparison's aggregates)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


async def side_by_side(*calls: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Await every call concurrently and return their results in call order.

    The first failure cancels the others and is raised as itself, not wrapped in the task group's
    ExceptionGroup, so the error handlers still see it (a store outage stays a 503 that names
    the store instead of becoming an unexplained 500).
    """
    results: list[Any] = [None] * len(calls)

    async def run(index: int, call: Callable[[], Awaitable[Any]]) -> None:
        results[index] = await call()

    try:
        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
    except BaseExceptionGroup as failed:
        raise _first_leaf(failed) from None
    return results
