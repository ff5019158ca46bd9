"""SQL of the core modules that are no resource of their own: the stores' liveness probe and the
signing secret `migrate` generates (migrations/postgres/0002_instance_secret.sql)."""

PING = "SELECT 1"

SELECT_SIGNING_SECRET = "SELECT value FROM instance_settings WHERE key = 'signing_secret'"
