-- Undo 0017_retention.
ALTER TABLE projects DROP COLUMN IF EXISTS trace_tier, DROP COLUMN IF EXISTS longlived_ttl_days,
    DROP COLUMN IF EXISTS payload_ttl_days;
DROP TABLE IF EXISTS workspace_retention;
