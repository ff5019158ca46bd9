"""A thin ClickHouse client of our own over clickhouse-driver (native protocol).

Callers only see `ClickHouse.query/insert/command` and the `Profile` they run under, so the
driver can change without touching them (snuba swapped drivers behind the same seam). Each
profile carries the settings that suit its purpose: user-facing reads are read-only and bounded
in time, migrations wait for mutations to finish.

clickhouse-driver is synchronous; async callers go through `anyio.to_thread` with a small pool of
clients, one per thread at a time.
"""

from __future__ import annotations

import datetime as dt
import queue
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

import anyio.to_thread
from clickhouse_driver import Client
from clickhouse_driver import errors as ch_errors

from app.core import queries as q
from app.core.errors import BadRequest, StoreUnavailable, TracehouseError
from app.core.settings import ClickHouseSettings

# DateTime64's range. A caller's timestamp outside it (year 1, an epoch of 1e18) is refused with a
# 400 rather than clamped: a bound that silently moved would match runs the caller did not ask for.
MIN_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
MAX_TIME = dt.datetime(2299, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)


def check_time(value: dt.datetime) -> dt.datetime:
    """`value` in UTC, or BadRequest when ClickHouse cannot represent it. Naive means UTC on this
    wire (wire §0)."""
    try:
        utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 is in year 0 in UTC
        utc = None
    if utc is None or not MIN_TIME <= utc <= MAX_TIME:
        raise BadRequest(f"timestamp {value.isoformat()} is outside the supported range 1900-01-01 to 2299-12-31 UTC")
    return utc


class _Timestamp:
    """A datetime query parameter that keeps its microseconds. clickhouse-driver escapes
    datetimes as 'YYYY-MM-DD hh:mm:ss', so a keyset cursor inside one second would skip every
    run of that second. Only ever built from a datetime object, never from caller text."""

    __slots__ = ("text",)

    def __init__(self, value: dt.datetime) -> None:
        self.text = check_time(value).strftime("%Y-%m-%d %H:%M:%S.%f")

    def __str__(self) -> str:
        return f"toDateTime64('{self.text}', 6, 'UTC')"


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _param(name: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _Timestamp(value)
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        # A caller's limit or offset past Int64 makes ClickHouse fail the query (a 500 quoting
        # it); no page or count of ours needs more.
        raise BadRequest(f"{name} is out of range; it must fit a signed 64-bit integer")
    return value


def _with_timestamps(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return params
    return {k: _param(k, v) for k, v in params.items()}


class Profile(Enum):
    QUERY = "query"  # user-facing reads: read-only, bounded in time
    INSERT = "insert"
    MIGRATE = "migrate"  # DDL and mutations wait until they are done everywhere


_PROFILE_SETTINGS: dict[Profile, dict[str, Any]] = {
    Profile.QUERY: {"readonly": 2, "max_execution_time": 30},
    Profile.INSERT: {"insert_deduplicate": 1},
    Profile.MIGRATE: {"mutations_sync": 2, "alter_sync": 2},
}


class ClickHouseError(TracehouseError):
    """ClickHouse rejected a statement (a bug on our side, not an outage)."""


def _client(settings: ClickHouseSettings, database: str | None, timeout: float) -> Client:
    return Client(
        host=settings.clickhouse_host,
        port=settings.clickhouse_port,
        user=settings.clickhouse_user,
        password=settings.clickhouse_password,
        database=database or "default",
        secure=settings.clickhouse_secure,
        verify=settings.clickhouse_verify,
        ca_certs=settings.clickhouse_ca_certs,
        connect_timeout=5,
        # A stalled server must not hold a caller for minutes: the writer retries, a request 503s.
        # (Seen: a native connection made while a server restarts can hang until this fires.)
        send_receive_timeout=timeout,
        settings={"use_numpy": False},
        client_name="tracehouse",
    )


class ClickHouse:
    def __init__(
        self, settings: ClickHouseSettings, *, pool_size: int = 4, use_database: bool = True, timeout: float = 30.0
    ):
        self.settings = settings
        self.timeout = timeout
        self.database = settings.clickhouse_database
        self._use_database = use_database
        self._pool: queue.LifoQueue[Client | None] = queue.LifoQueue(pool_size)
        for _ in range(pool_size):
            self._pool.put(None)

    @contextmanager
    def _checkout(self) -> Iterator[Client]:
        client = self._pool.get(timeout=30) or _client(
            self.settings, self.database if self._use_database else None, self.timeout
        )
        try:
            yield client
        except (ch_errors.NetworkError, ch_errors.SocketTimeoutError, OSError, EOFError) as exc:
            client.disconnect()
            raise StoreUnavailable(f"clickhouse unavailable: {exc}") from exc
        except ch_errors.ServerException as exc:
            if exc.code in (81,):  # UNKNOWN_DATABASE: migrations have not run yet
                raise StoreUnavailable(f"clickhouse not migrated: {exc.message}") from exc
            raise ClickHouseError(f"clickhouse error {exc.code}: {exc.message}") from exc
        finally:
            self._pool.put(client)

    def query(
        self,
        sql: str,
        params: dict[str, Any] | None = None,
        *,
        profile: Profile = Profile.QUERY,
        binary: bool = False,
    ) -> list[tuple[Any, ...]]:
        """`binary`: return String columns as bytes (attachments), not decoded text."""
        settings = _PROFILE_SETTINGS[profile]
        if binary:
            settings = {**settings, "strings_as_bytes": True}
        with self._checkout() as client:
            rows: list[tuple[Any, ...]] = client.execute(sql, _with_timestamps(params), settings=settings)
        return rows

    def command(self, sql: str, params: dict[str, Any] | None = None) -> None:
        with self._checkout() as client:
            client.execute(sql, params, settings=_PROFILE_SETTINGS[Profile.MIGRATE])

    def insert(self, table_sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """`table_sql` is `INSERT INTO t (a, b) VALUES`; rows are tuples in that column order."""
        with self._checkout() as client:
            written: int = client.execute(table_sql, rows, settings=_PROFILE_SETTINGS[Profile.INSERT])
        return written

    def ping(self) -> None:
        self.query(q.PING)

    async def aquery(self, sql: str, params: dict[str, Any] | None = None, **kw: Any) -> list[tuple[Any, ...]]:
        return await anyio.to_thread.run_sync(lambda: self.query(sql, params, **kw))

    async def aping(self) -> None:
        await anyio.to_thread.run_sync(self.ping)

    def close(self) -> None:
        while not self._pool.empty():
            client = self._pool.get_nowait()
            if client is not None:
                client.disconnect()
