-- Disk usage over time (issue 19): the queue service samples the installation's bytes (per store)
-- and each workspace's and project's estimated share, forecasts the day the disk budget is
-- reached, and records what budget enforcement cleared. Tenant rows go with their workspace or
-- project (ON DELETE CASCADE), so a deleted tenant leaves no usage history behind.
-- depends: 0015_feedback_configs

CREATE TABLE storage_totals (
    sampled_at        timestamptz PRIMARY KEY,
    clickhouse_bytes  bigint NOT NULL,
    postgres_bytes    bigint NOT NULL,
    redis_bytes       bigint NOT NULL,
    total_bytes       bigint NOT NULL
);

CREATE TABLE storage_samples (
    sampled_at    timestamptz NOT NULL,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- NULL: the workspace's own total (all projects, feedback and attachments).
    project_id    uuid REFERENCES projects (id) ON DELETE CASCADE,
    bytes         bigint NOT NULL,
    runs          bigint NOT NULL
);
CREATE INDEX storage_samples_workspace ON storage_samples (workspace_id, sampled_at DESC);

CREATE TABLE storage_payload_expiries (
    id            uuid PRIMARY KEY,
    cleared_at    timestamptz NOT NULL DEFAULT now(),
    -- A runs partition: toYYYYMM(start_time).
    partition_id  text NOT NULL,
    columns       text[] NOT NULL,
    bytes_before  bigint NOT NULL,
    bytes_after   bigint NOT NULL
);
