-- Public run shares (/runs/{id}/share, /public/{token}/...) and presigned feedback tokens
-- (/feedback/tokens): both are capabilities handed to people without an API key, so they live
-- in Postgres next to the tenancy data, each scoped to its workspace.
-- depends: 0002_instance_secret

CREATE TABLE run_shares (
    token         uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    run_id        uuid NOT NULL,
    trace_id      uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX run_shares_run_key ON run_shares (workspace_id, run_id);

CREATE TABLE feedback_tokens (
    id               uuid PRIMARY KEY,
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    run_id           uuid NOT NULL,
    feedback_key     text NOT NULL,
    feedback_config  jsonb,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_tokens_run_idx ON feedback_tokens (workspace_id, run_id);
