-- The hub beyond prompts (wire §7): a workspace's hub handle, and repos of other types.
--
-- tenant_handle is how other workspaces name this one (`handle/prompt`, for public prompts).
-- Every workspace gets a random one, so `push_prompt(..., is_public=True)` works on a new
-- workspace (the SDK refuses it while settings answer no handle); an admin can rename it.
-- The default is volatile, so the existing rows get one each.
--
-- repo_type says what a repo's commits hold: a prompt's manifest, or an agent's or a skill's
-- files (the whole file map of that version, `{"files": {...}}`), in the same commit table.
-- depends: 0012_setup_token

ALTER TABLE workspaces
    ADD COLUMN tenant_handle text NOT NULL
        DEFAULT 'ws-' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12);
CREATE UNIQUE INDEX workspaces_tenant_handle_key ON workspaces (tenant_handle);

ALTER TABLE prompt_repos
    ADD COLUMN repo_type text NOT NULL DEFAULT 'prompt'
        CHECK (repo_type IN ('prompt', 'agent', 'skill'));
-- Public repos are listed across workspaces.
CREATE INDEX prompt_repos_public_idx ON prompt_repos (repo_type, handle) WHERE is_public;
