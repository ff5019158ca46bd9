"""A thin async Postgres client over one psycopg connection pool per process.

Callers pass SQL constants with `%(name)s` parameters and get rows as dicts or msgspec Structs;
driver errors that mean "the database is not there" become `StoreUnavailable`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import msgspec
import psycopg
from psycopg.abc import Buffer
from psycopg.rows import dict_row
from psycopg.types.datetime import DatetimeDumper
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from app.core import queries as q
from app.core.errors import StoreUnavailable
from app.core.settings import PostgresSettings

T = TypeVar("T")

Params = Mapping[str, Any] | None


class _UtcDatetimeDumper(DatetimeDumper):
    """Timestamps travel in UTC. A caller's `0001-01-01T00:00:00+05:00` is year 0 in UTC: stored
    as is, Postgres kept a BC timestamp that psycopg then failed to read back on every later
    request. It is refused here instead (DataError, a 400 in the error mapping)."""

    def dump(self, obj: dt.datetime) -> Buffer | None:
        try:
            obj = obj.astimezone(dt.UTC)
        except OverflowError:
            raise psycopg.DataError("timestamp out of range") from None
        return super().dump(obj)


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(dt.datetime, _UtcDatetimeDumper)


class Postgres:
    def __init__(self, settings: PostgresSettings, *, name: str = "tracehouse") -> None:
        self._pool = AsyncConnectionPool(
            settings.postgres_dsn,
            min_size=settings.postgres_pool_min,
            max_size=settings.postgres_pool_max,
            kwargs={"row_factory": dict_row, "application_name": name},
            configure=_configure,
            open=False,
            # How long a request waits for a connection before answering 503: long enough to ride
            # out a burst, short enough to fail well inside the SDK's 10 s send timeout.
            timeout=5,
            # Validate a connection before handing it out: after a Postgres restart or failover
            # every pooled connection is dead, and without this each would fail one request.
            check=AsyncConnectionPool.check_connection,
        )

    async def open(self) -> None:
        # wait=False: a service must start (and report unhealthy) even while Postgres is down.
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        try:
            async with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreUnavailable(f"postgres unavailable: {exc}") from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    async def fetch_all(self, sql: str, params: Params = None, *, into: type[T] | None = None) -> list[Any]:
        async with self.connection() as conn:
            rows = await (await conn.execute(sql, params)).fetchall()
        return [msgspec.convert(r, into, from_attributes=False) for r in rows] if into else rows

    async def fetch_one(self, sql: str, params: Params = None, *, into: type[T] | None = None) -> Any:
        async with self.connection() as conn:
            row = await (await conn.execute(sql, params)).fetchone()
        if row is None or into is None:
            return row
        return msgspec.convert(row, into)

    async def execute(self, sql: str, params: Params = None) -> int:
        async with self.connection() as conn:
            cur = await conn.execute(sql, params)
            return cur.rowcount

    async def ping(self) -> None:
        await self.fetch_one(q.PING)
