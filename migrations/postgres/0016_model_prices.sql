-- Model prices (issue 19): a workspace's own entries of its model price map. The shipped defaults
-- live in app/core/default_model_prices.json, not here; a row with `default_id` overrides that
-- default entry for this workspace (its values replace the default's), and with `disabled` it
-- removes it. Prices are US dollars per token, kept exact (numeric, no float rounding).
-- depends: 0015_feedback_configs

CREATE TABLE model_prices (
    id                       uuid PRIMARY KEY,
    workspace_id             uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    default_id               uuid,
    disabled                 boolean NOT NULL DEFAULT false,
    name                     text NOT NULL,
    provider                 text,
    match_pattern            text NOT NULL,
    match_path               text[] NOT NULL DEFAULT '{}',
    start_time               timestamptz,
    prompt_cost              numeric NOT NULL CHECK (prompt_cost >= 0),
    completion_cost          numeric NOT NULL CHECK (completion_cost >= 0),
    -- {token kind: price per token as decimal text}
    prompt_cost_details      jsonb NOT NULL DEFAULT '{}',
    completion_cost_details  jsonb NOT NULL DEFAULT '{}',
    created_at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    modified_at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- One override per default entry; a second concurrent override of the same default meets this.
CREATE UNIQUE INDEX model_prices_default_idx ON model_prices (workspace_id, default_id)
    WHERE default_id IS NOT NULL;
CREATE INDEX model_prices_workspace_idx ON model_prices (workspace_id, created_at);
