-- Tenancy: organizations own workspaces; a workspace is the tenant every piece of data belongs to.
-- API keys are stored as a SHA-256 of the whole key plus a short public prefix used for lookup,
-- so a leaked database does not leak usable keys. Projects ("sessions" on the LangSmith wire)
-- live here because they are transactional metadata; their runs live in ClickHouse.
-- depends:

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));

CREATE TABLE workspaces (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX workspaces_org_name_key ON workspaces (organization_id, lower(name));

CREATE TABLE api_keys (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- NULL = org-scoped: the caller picks a workspace with X-Tenant-Id.
    workspace_id     uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    name             text NOT NULL,
    prefix           text NOT NULL UNIQUE,
    key_hash         bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz,
    last_used_at     timestamptz,
    revoked_at       timestamptz
);
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id);

CREATE TABLE projects (
    id                    uuid PRIMARY KEY,
    workspace_id          uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                  text NOT NULL,
    description           text,
    extra                 jsonb,
    reference_dataset_id  uuid,
    start_time            timestamptz NOT NULL DEFAULT now(),
    end_time              timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX projects_workspace_name_key ON projects (workspace_id, name);
