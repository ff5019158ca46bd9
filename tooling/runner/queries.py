"""SQL the native runner runs itself. What it shares with the services (creating users, adding
members) it takes from their queries modules instead."""

# Postgres (`./tracehouse user reset-password`): operators may change a password; the services never do.
UPDATE_PASSWORD = """
UPDATE users SET password_hash = %(hash)s WHERE lower(email) = lower(%(email)s) RETURNING id
"""

# Postgres, on first start of the native store.
SELECT_DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = %s"
CREATE_DATABASE = "CREATE DATABASE {}"

# ClickHouse (chdb): open the listeners and hold them for as long as this query runs, which is forever.
KEEPALIVE = (
    "SYSTEM START LISTEN TCP; SYSTEM START LISTEN HTTP; "
    "SELECT sleepEachRow(1) FROM numbers(1000000000000) FORMAT Null "
    "SETTINGS max_block_size=1, function_sleep_max_microseconds_per_block=0, max_execution_time=0"
)
