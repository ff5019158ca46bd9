-- Feedback configs (issue 17): how a workspace's feedback key is to be read — continuous
-- (min/max), categorical (value/label categories) or freeform. One live config per key; deletes
-- are soft (LangSmith lists deleted ones with include_all_configs) and free the key for reuse.
-- depends: 0012_setup_token

CREATE TABLE feedback_configs (
    id                     uuid PRIMARY KEY,
    workspace_id           uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    feedback_key           text NOT NULL,
    feedback_config        jsonb NOT NULL,
    is_lower_score_better  boolean NOT NULL DEFAULT false,
    is_enforced            boolean NOT NULL DEFAULT false,
    is_deleted             boolean NOT NULL DEFAULT false,
    created_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    modified_at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- The one live config of a key; a concurrent second create of the key meets this index.
CREATE UNIQUE INDEX feedback_configs_live_key_idx ON feedback_configs (workspace_id, feedback_key)
    WHERE NOT is_deleted;
CREATE INDEX feedback_configs_workspace_key_idx ON feedback_configs (workspace_id, feedback_key, created_at);
