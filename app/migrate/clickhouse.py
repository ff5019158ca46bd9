"""A small ClickHouse migration runner (yoyo has no ClickHouse backend).

Applies `migrations/clickhouse/NNNN_name.sql` in order and records each applied id, with the
file's checksum, in `<database>.schema_migrations`. Already-recorded ids are skipped, so running it
on every start is safe. A file whose recorded checksum no longer matches is reported, not re-run:
ClickHouse DDL is not transactional, so changes ship as new files.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from app.core.clickhouse import ClickHouse, Profile
from app.core.settings import ClickHouseSettings
from app.migrate import queries as q
from app.migrate.paths import CLICKHOUSE_DIR

log = logging.getLogger("tracehouse.migrate")

_FILE_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_STATEMENT_END = re.compile(r";[ \t]*$", re.M)


@dataclass(frozen=True)
class Migration:
    id: str
    path: Path
    checksum: str

    def statements(self, database: str) -> list[str]:
        text = self.path.read_text().replace("{database}", database)
        chunks = (c.strip() for c in _STATEMENT_END.split(text))
        return [
            c
            for c in chunks
            if c and not all(line.strip().startswith("--") or not line.strip() for line in c.splitlines())
        ]


def discover(directory: Path = CLICKHOUSE_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        if not _FILE_RE.match(path.name):
            raise ValueError(f"{path.name}: ClickHouse migrations are named NNNN_lower_snake.sql")
        migrations.append(Migration(path.stem, path, hashlib.sha256(path.read_bytes()).hexdigest()))
    ids = [m.id[:4] for m in migrations]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate ClickHouse migration numbers in {directory}")
    return migrations


def apply_clickhouse(settings: ClickHouseSettings, directory: Path = CLICKHOUSE_DIR) -> list[str]:
    """Create the database if needed and apply pending migrations; return the ids applied."""
    database = settings.clickhouse_database  # validated as a plain identifier by the settings
    ch = ClickHouse(settings, pool_size=1, use_database=False, timeout=600)  # DDL and mutations can be slow
    try:
        ch.command(q.CREATE_DATABASE.format(database=database))
        ch.command(q.CREATE_MIGRATIONS_TABLE.format(database=database))
        applied = dict(ch.query(q.SELECT_APPLIED.format(database=database), profile=Profile.MIGRATE))
        done = []
        for migration in discover(directory):
            if migration.id in applied:
                if applied[migration.id] != migration.checksum:
                    log.warning("clickhouse migration %s changed after it was applied; not re-run", migration.id)
                continue
            for statement in migration.statements(database):
                ch.command(statement)
            ch.insert(q.RECORD_APPLIED.format(database=database), [(migration.id, migration.checksum)])
            log.info("applied clickhouse migration %s", migration.id)
            done.append(migration.id)
        return done
    finally:
        ch.close()
