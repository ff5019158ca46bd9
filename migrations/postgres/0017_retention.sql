-- Retention (issue 19): how long a workspace keeps its traces, in LangSmith's shape. Each project's
-- traces get one tier (`trace_tier`: shortlived or longlived); the workspace says what the tiers
-- mean in days and which one a project without its own choice gets. `payload_ttl_days` is the
-- payload-first option: run rows (tokens, costs, latency, feedback) stay for the tier while the
-- heavy columns expire after that many days. The queue worker stamps each run with the days in
-- force when it writes it; ClickHouse TTLs do the deleting (migrations/clickhouse/0004).
-- A workspace without a row here uses the defaults below: everything is kept 400 days, so an
-- existing install loses nothing it did not choose to.
-- depends: 0015_feedback_configs

CREATE TABLE workspace_retention (
    workspace_id         uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    default_trace_tier   text NOT NULL DEFAULT 'longlived' CHECK (default_trace_tier IN ('longlived', 'shortlived')),
    shortlived_ttl_days  integer NOT NULL DEFAULT 14 CHECK (shortlived_ttl_days BETWEEN 1 AND 3650),
    longlived_ttl_days   integer NOT NULL DEFAULT 400 CHECK (longlived_ttl_days BETWEEN 1 AND 3650),
    payload_ttl_days     integer CHECK (payload_ttl_days BETWEEN 1 AND 3650),
    modified_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (shortlived_ttl_days <= longlived_ttl_days)
);

-- NULL everywhere means "as the workspace says".
ALTER TABLE projects
    ADD COLUMN trace_tier text CHECK (trace_tier IN ('longlived', 'shortlived')),
    ADD COLUMN longlived_ttl_days integer CHECK (longlived_ttl_days BETWEEN 1 AND 3650),
    ADD COLUMN payload_ttl_days integer CHECK (payload_ttl_days BETWEEN 1 AND 3650);
