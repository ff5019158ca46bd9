-- Model providers of a workspace, for the playground: which API (openai, anthropic, or any
-- OpenAI-compatible server), where (base_url; NULL = the provider's own API), and its API key,
-- encrypted with PROVIDER_SECRETS_KEY (AES-256-GCM: nonce || ciphertext || tag). Only the
-- playground decrypts it; the API shows a masked hint and never the key.
-- depends: 0009_prompt_hub

CREATE TABLE model_providers (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('openai', 'anthropic', 'openai_compatible')),
    base_url        text,
    api_key_cipher  bytea,
    api_key_hint    text,
    default_model   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX model_providers_workspace_name_key ON model_providers (workspace_id, name);

-- Prompt-over-dataset runs started from the playground: the experiment they fill, and progress
-- that survives a playground restart (the run resumes; run ids are deterministic per example).
CREATE TABLE playground_dataset_runs (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    experiment_id   uuid NOT NULL,
    dataset_id      uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    spec            jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    total           integer NOT NULL,
    completed       integer NOT NULL DEFAULT 0,
    errors          integer NOT NULL DEFAULT 0,
    error           text,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playground_dataset_runs_workspace_idx ON playground_dataset_runs (workspace_id, created_at DESC);
CREATE INDEX playground_dataset_runs_running_idx ON playground_dataset_runs (lease_until) WHERE status = 'running';

CREATE TABLE playground_dataset_run_items (
    run_id      uuid NOT NULL REFERENCES playground_dataset_runs (id) ON DELETE CASCADE,
    example_id  uuid NOT NULL,
    trace_id    uuid NOT NULL,
    ok          boolean NOT NULL,
    PRIMARY KEY (run_id, example_id)
);
