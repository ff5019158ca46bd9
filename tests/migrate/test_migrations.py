"""Both migration runners against the real stores, in scratch databases of the test stack."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.core.clickhouse import ClickHouse
from app.core.settings import ClickHouseSettings, MigrateSettings, load_settings
from app.migrate.clickhouse import apply_clickhouse, discover
from app.migrate.paths import POSTGRES_DIR
from app.migrate.postgres import apply_postgres, rollback_postgres

pytestmark = pytest.mark.stack


@pytest.fixture
def scratch_pg(stack_env: dict[str, str]) -> Iterator[str]:
    dsn = stack_env["POSTGRES_DSN"]
    name = f"mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # generated identifier, not user input
    yield dsn.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def tables(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {r[0] for r in rows if not r[0].startswith("_yoyo") and r[0] != "yoyo_lock"}


def test_postgres_migrations_apply_once_and_roll_back(scratch_pg: str) -> None:
    every = sorted(p.stem for p in POSTGRES_DIR.glob("*.sql") if not p.stem.endswith(".rollback"))
    assert apply_postgres(scratch_pg) == every
    assert {"organizations", "workspaces", "api_keys", "projects"} <= tables(scratch_pg)
    assert apply_postgres(scratch_pg) == []  # idempotent
    # Every migration has a rollback, and rolling all of them back leaves nothing behind.
    for path in POSTGRES_DIR.glob("*.sql"):
        if not path.stem.endswith(".rollback"):
            assert path.with_name(f"{path.stem}.rollback.sql").exists(), f"{path.name} has no rollback"
    assert rollback_postgres(scratch_pg, count=len(every)) == list(reversed(every))
    assert tables(scratch_pg) == set()
    assert apply_postgres(scratch_pg) == every


@pytest.fixture
def scratch_ch(stack_env: dict[str, str]) -> Iterator[ClickHouseSettings]:
    settings = load_settings(MigrateSettings, {**stack_env, "CLICKHOUSE_DATABASE": f"mig_{uuid.uuid4().hex[:10]}"})
    yield settings.clickhouse
    ch = ClickHouse(settings.clickhouse, use_database=False)
    ch.command(f"DROP DATABASE IF EXISTS {settings.clickhouse.clickhouse_database}")
    ch.close()


def test_clickhouse_runner_applies_in_order_once(
    scratch_ch: ClickHouseSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "0001_first.sql").write_text(
        "-- why: a table\nCREATE TABLE IF NOT EXISTS {database}.t (id UInt64) ENGINE = MergeTree ORDER BY id;\n"
        "INSERT INTO {database}.t VALUES (1);\n"
    )
    (tmp_path / "0002_second.sql").write_text(
        "ALTER TABLE {database}.t ADD COLUMN IF NOT EXISTS name String DEFAULT 'x'\n"
    )
    assert apply_clickhouse(scratch_ch, tmp_path) == ["0001_first", "0002_second"]
    ch = ClickHouse(scratch_ch)
    assert ch.query("SELECT id, name FROM t") == [(1, "x")]
    assert apply_clickhouse(scratch_ch, tmp_path) == []
    assert ch.query("SELECT count() FROM t") == [(1,)]  # the INSERT did not run twice
    applied = ch.query("SELECT id FROM schema_migrations FINAL ORDER BY id")
    assert applied == [("0001_first",), ("0002_second",)]

    # An edited, already-applied file is reported and not re-run.
    (tmp_path / "0001_first.sql").write_text("INSERT INTO {database}.t VALUES (2);\n")
    with caplog.at_level(logging.WARNING, logger="tracehouse.migrate"):
        assert apply_clickhouse(scratch_ch, tmp_path) == []
    assert "0001_first changed" in caplog.text
    assert ch.query("SELECT count() FROM t") == [(1,)]
    ch.close()


def test_clickhouse_runner_rejects_bad_names(tmp_path: Path) -> None:
    (tmp_path / "1_bad.sql").write_text("SELECT 1")
    with pytest.raises(ValueError, match="NNNN_lower_snake"):
        discover(tmp_path)


def test_clickhouse_runner_resumes_after_a_failed_file(scratch_ch: ClickHouseSettings, tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE IF NOT EXISTS {database}.a (x UInt8) ENGINE = Memory\n")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE {database}.b (x NoSuchType) ENGINE = Memory\n")
    with pytest.raises(Exception, match=r"NoSuchType|Unknown data type"):
        apply_clickhouse(scratch_ch, tmp_path)
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE IF NOT EXISTS {database}.b (x UInt8) ENGINE = Memory\n")
    assert apply_clickhouse(scratch_ch, tmp_path) == ["0002_broken"]


def test_stack_database_is_migrated(stack_env: dict[str, str]) -> None:
    settings = load_settings(MigrateSettings, stack_env)
    assert apply_postgres(settings.postgres.postgres_dsn) == []
    assert apply_clickhouse(settings.clickhouse) == []
