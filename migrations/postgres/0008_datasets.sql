-- Datasets and their examples, versioned. Every write to a dataset's examples happens at one
-- timestamp, the dataset version it creates: `example_revisions` keeps every state an example
-- ever had (append-only, one row per example per version), so any past version can be read
-- (`as_of`) and two versions diffed. `examples` holds the current state only, for fast lists
-- and filters; both are written in the same transaction. Experiments stay projects with
-- `reference_dataset_id`; comparative (pairwise) experiments get their own small table.
-- depends: 0007_personal_keys

CREATE TABLE datasets (
    id                uuid PRIMARY KEY,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name              text NOT NULL,
    description       text,
    data_type         text NOT NULL DEFAULT 'kv' CHECK (data_type IN ('kv', 'llm', 'chat')),
    inputs_schema     jsonb,
    outputs_schema    jsonb,
    transformations   jsonb,
    metadata          jsonb,
    share_token       uuid UNIQUE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    modified_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX datasets_workspace_name_key ON datasets (workspace_id, name);

CREATE TABLE examples (
    id             uuid PRIMARY KEY,
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    dataset_id     uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    inputs         jsonb NOT NULL DEFAULT '{}',
    outputs        jsonb,
    metadata       jsonb NOT NULL DEFAULT '{}',
    source_run_id  uuid,
    -- name -> {"id": attachment id, "mime_type": ...}
    attachments    jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL,
    modified_at    timestamptz NOT NULL
);
CREATE INDEX examples_dataset_idx ON examples (dataset_id, created_at, id);
CREATE INDEX examples_metadata_idx ON examples USING gin (metadata jsonb_path_ops);

-- The example's id is only unique within its workspace's history, like `examples.id`; a
-- soft-deleted example leaves `examples` and gets a revision with deleted = true.
CREATE TABLE example_revisions (
    dataset_id     uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    example_id     uuid NOT NULL,
    version        timestamptz NOT NULL,
    deleted        boolean NOT NULL DEFAULT false,
    inputs         jsonb NOT NULL DEFAULT '{}',
    outputs        jsonb,
    metadata       jsonb NOT NULL DEFAULT '{}',
    source_run_id  uuid,
    attachments    jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (dataset_id, example_id, version)
);
CREATE INDEX example_revisions_version_idx ON example_revisions (dataset_id, version);

-- Attachment bytes are immutable: a new upload under the same name is a new row, so every
-- version keeps pointing at the bytes it had.
CREATE TABLE example_attachments (
    id             uuid PRIMARY KEY,
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    dataset_id     uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    example_id     uuid NOT NULL,
    name           text NOT NULL,
    mime_type      text NOT NULL,
    content        bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX example_attachments_example_idx ON example_attachments (dataset_id, example_id);

CREATE TABLE dataset_version_tags (
    dataset_id  uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    tag         text NOT NULL,
    version     timestamptz NOT NULL,
    PRIMARY KEY (dataset_id, tag)
);

CREATE TABLE comparative_experiments (
    id                    uuid PRIMARY KEY,
    workspace_id          uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    reference_dataset_id  uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name                  text,
    description           text,
    experiment_ids        uuid[] NOT NULL,
    extra                 jsonb,
    created_at            timestamptz NOT NULL DEFAULT now(),
    modified_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comparative_experiments_dataset_idx ON comparative_experiments (workspace_id, reference_dataset_id);
CREATE INDEX projects_reference_dataset_idx ON projects (workspace_id, reference_dataset_id)
    WHERE reference_dataset_id IS NOT NULL;
