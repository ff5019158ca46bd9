from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
POSTGRES_DIR = MIGRATIONS_DIR / "postgres"
CLICKHOUSE_DIR = MIGRATIONS_DIR / "clickhouse"
