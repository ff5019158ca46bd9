"""ClickHouse migration 0004 (retention) on a database that already holds runs: what was stored
before is kept 400 days from when it was received, so an upgrade deletes nothing at once, not
even a run that started 500 days ago."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.clickhouse import ClickHouse
from app.core.settings import ClickHouseSettings, MigrateSettings, load_settings
from app.migrate.clickhouse import apply_clickhouse
from app.migrate.paths import CLICKHOUSE_DIR

pytestmark = pytest.mark.stack

RETENTION = "0004_retention"


@pytest.fixture
def scratch_ch(stack_env: dict[str, str]) -> Iterator[ClickHouseSettings]:
    settings = load_settings(MigrateSettings, {**stack_env, "CLICKHOUSE_DATABASE": f"mig_{uuid.uuid4().hex[:10]}"})
    yield settings.clickhouse
    ch = ClickHouse(settings.clickhouse, use_database=False)
    ch.command(f"DROP DATABASE IF EXISTS {settings.clickhouse.clickhouse_database}")
    ch.close()


def _copy(tmp_path: Path, *, before: bool) -> None:
    for path in sorted(CLICKHOUSE_DIR.glob("*.sql")):
        if (path.stem < RETENTION) == before:
            shutil.copy(path, tmp_path / path.name)


def test_runs_stored_before_the_migration_keep_400_days(scratch_ch: ClickHouseSettings, tmp_path: Path) -> None:
    _copy(tmp_path, before=True)
    apply_clickhouse(scratch_ch, tmp_path)
    ch = ClickHouse(scratch_ch)
    now = dt.datetime.now(dt.UTC)
    ages = {"month": 30, "old": 500}
    ids = {name: uuid.uuid4() for name in ages}
    ch.insert(
        "INSERT INTO runs (workspace_id, project_id, id, trace_id, dotted_order, name, run_type, status, start_time,"
        " inputs, outputs, extra, events, serialized, received_at, version) VALUES",
        [
            (uuid.UUID(int=1), uuid.UUID(int=2), ids[name], ids[name], name, name, "chain", "success",
             now - dt.timedelta(days=days), '{"q": 1}', '{"a": 2}', "{}", "[]", "", now, 1)
            for name, days in ages.items()
        ],
    )  # fmt: skip
    _copy(tmp_path, before=False)
    assert RETENTION in apply_clickhouse(scratch_ch, tmp_path)

    stamps = ch.query("SELECT name, retention_days, payload_retention_days FROM runs FINAL ORDER BY name")
    assert stamps == [("month", 430, 430), ("old", 900, 900)]
    ch.command("OPTIMIZE TABLE runs FINAL")  # applies every due TTL: none is due
    assert ch.query("SELECT name, inputs FROM runs FINAL ORDER BY name") == [("month", '{"q": 1}'), ("old", '{"q": 1}')]
    ch.close()
