"""Resolve a run's project (session) to its id, creating it by name on first sight."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row

from app.core.errors import StoreUnavailable
from app.core.retention import Stamp, stamp_of
from worker import queries as q

DEFAULT_PROJECT = "default"
# How long a project's retention answer is reused: a change in the settings reaches the runs
# written after at most this long (retention applies to traces written from then on).
RETENTION_CACHE_SECONDS = 30.0


class ProjectResolver:
    """One per worker process. Project ids never change, so positive answers are cached forever."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: psycopg.Connection | None = None
        self._by_name: dict[tuple[str, str], str] = {}
        self._known_ids: set[tuple[str, str]] = set()
        self._stamps: dict[tuple[str, str], tuple[float, Stamp]] = {}

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg.connect(
                    self._dsn, autocommit=True, connect_timeout=5, application_name="tracehouse-queue"
                )
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(f"postgres unavailable: {exc}") from exc
        return self._conn

    def retention(self, workspace_id: str, project_id: str) -> Stamp:
        """The retention stamp for a project's new runs (cached for RETENTION_CACHE_SECONDS)."""
        key = (workspace_id, project_id)
        now = time.monotonic()
        hit = self._stamps.get(key)
        if hit is not None and now - hit[0] < RETENTION_CACHE_SECONDS:
            return hit[1]
        try:
            cursor = self._connection().cursor(row_factory=dict_row)
            row = cursor.execute(q.SELECT_RETENTION, {"workspace_id": workspace_id, "id": project_id}).fetchone()
        except psycopg.OperationalError as exc:
            self._conn = None
            raise StoreUnavailable(f"postgres unavailable: {exc}") from exc
        stamp = stamp_of(row)
        if len(self._stamps) > 10_000:
            self._stamps.clear()
        self._stamps[key] = (now, stamp)
        return stamp

    def _query(self, sql: str, params: dict[str, Any], *, fetch: bool = True) -> tuple[Any, ...] | None:
        try:
            cursor = self._connection().execute(sql, params)
            return cursor.fetchone() if fetch else None
        except psycopg.OperationalError as exc:
            self._conn = None
            raise StoreUnavailable(f"postgres unavailable: {exc}") from exc

    def forget(self) -> None:
        """Drop every cached answer: a project was deleted somewhere."""
        self._by_name.clear()
        self._known_ids.clear()

    def by_name(self, workspace_id: str, name: str) -> str:
        key = (workspace_id, name)
        if key not in self._by_name:
            params = {"workspace_id": workspace_id, "name": name}
            self._query(q.INSERT_PROJECT, {**params, "id": uuid.uuid4()}, fetch=False)
            row = self._query(q.SELECT_PROJECT_BY_NAME, params)
            assert row is not None
            self._by_name[key] = str(row[0])
        return self._by_name[key]

    def exists(self, workspace_id: str, project_id: str) -> bool:
        key = (workspace_id, project_id)
        if key not in self._known_ids:
            if self._query(q.SELECT_PROJECT_BY_ID, {"workspace_id": workspace_id, "id": project_id}) is None:
                return False
            self._known_ids.add(key)
        return True

    def resolve(self, workspace_id: str, session_id: str | None, session_name: str | None) -> str:
        """A session id of this workspace wins; otherwise the name, else `default`."""
        if session_id and self.exists(workspace_id, session_id):
            return session_id
        return self.by_name(workspace_id, session_name or DEFAULT_PROJECT)
