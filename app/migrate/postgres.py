"""Postgres migrations through yoyo (`migrations/postgres/NNNN_name.sql` + `.rollback.sql`)."""

from __future__ import annotations

from pathlib import Path

from yoyo import get_backend, read_migrations

from app.migrate.paths import POSTGRES_DIR


def yoyo_url(dsn: str) -> str:
    """yoyo picks its driver from the URL scheme; we use psycopg 3 everywhere."""
    scheme, sep, rest = dsn.partition("://")
    return f"postgresql+psycopg://{rest}" if sep and scheme in {"postgresql", "postgres"} else dsn


def apply_postgres(dsn: str, directory: Path = POSTGRES_DIR) -> list[str]:
    """Apply pending migrations under yoyo's lock (safe if two migrators race); return their ids."""
    backend = get_backend(yoyo_url(dsn))
    migrations = read_migrations(str(directory))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


def rollback_postgres(dsn: str, *, count: int = 1, directory: Path = POSTGRES_DIR) -> list[str]:
    """Roll back the `count` most recent migrations (operators' escape hatch; tests use it)."""
    backend = get_backend(yoyo_url(dsn))
    migrations = read_migrations(str(directory))
    with backend.lock():
        applied = backend.to_rollback(migrations)[:count]
        backend.rollback_migrations(applied)
    return [m.id for m in applied]
