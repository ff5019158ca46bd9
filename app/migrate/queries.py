"""ClickHouse SQL of the migration runner. `{database}` is filled with the configured database name,
which the settings validate as a plain identifier (ClickHouse takes no parameters in DDL)."""

CREATE_DATABASE = "CREATE DATABASE IF NOT EXISTS {database}"

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS {database}.schema_migrations (
    id          String,
    checksum    String,
    applied_at  DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(applied_at)
ORDER BY id
"""

SELECT_APPLIED = "SELECT id, argMax(checksum, applied_at) FROM {database}.schema_migrations GROUP BY id"

RECORD_APPLIED = "INSERT INTO {database}.schema_migrations (id, checksum) VALUES"
