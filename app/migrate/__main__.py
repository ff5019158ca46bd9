"""`python -m app.migrate`: migrate Postgres and ClickHouse, then bootstrap. Idempotent. While no
account exists, its last line is the one-time setup link (app/core/tenancy/setup.py).

Waits for the stores to accept connections first (up to MIGRATE_WAIT_SECONDS), since compose may
start it while a managed database is still coming up.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from app.core.logging import configure_logging
from app.core.settings import MigrateSettings, load_settings_or_exit
from app.migrate.bootstrap import announce_setup_link, bootstrap
from app.migrate.clickhouse import apply_clickhouse
from app.migrate.postgres import apply_postgres

log = logging.getLogger("tracehouse.migrate")
# The setup link is the one line a person needs to log in at all, so it is shown even when
# LOG_LEVEL hides warnings (the runner and `docker compose logs migrate` read it from here).
setup_log = logging.getLogger("tracehouse.migrate.setup")
setup_log.setLevel(logging.WARNING)

T = TypeVar("T")


def _retry(what: str, fn: Callable[[], T], deadline: float) -> T:
    while True:
        try:
            return fn()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("%s not ready (%s); retrying", what, exc)
            time.sleep(1)


def _announce(link: str) -> None:
    setup_log.warning(
        "First start: no account exists yet. Open %s to create the first admin (the link works once;"
        " each start without an account replaces it)",
        link,
    )


def main() -> int:
    settings = load_settings_or_exit(MigrateSettings, "migrate")
    configure_logging(settings.log, "migrate")
    deadline = time.monotonic() + settings.options.migrate_wait_seconds
    try:
        pg = _retry("postgres", lambda: apply_postgres(settings.postgres.postgres_dsn), deadline)
        ch = _retry("clickhouse", lambda: apply_clickhouse(settings.clickhouse), deadline)
        tenant = asyncio.run(bootstrap(settings.postgres.postgres_dsn, settings.bootstrap))
    except Exception as exc:
        log.error("migration failed: %s", exc)
        return 1
    log.info(
        "migrations done: postgres %s, clickhouse %s%s",
        ", ".join(pg) or "up to date",
        ", ".join(ch) or "up to date",
        f", bootstrap {tenant}" if tenant else "",
    )
    try:
        asyncio.run(announce_setup_link(settings.postgres.postgres_dsn, settings.public, _announce))
    except Exception as exc:
        log.error("making the setup link failed: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
