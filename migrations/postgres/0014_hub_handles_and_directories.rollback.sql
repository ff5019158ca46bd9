-- Undo 0014_hub_handles_and_directories. Agent and skill repos go with their type.
DELETE FROM prompt_repos WHERE repo_type <> 'prompt';
DROP INDEX IF EXISTS prompt_repos_public_idx;
ALTER TABLE prompt_repos DROP COLUMN IF EXISTS repo_type;
DROP INDEX IF EXISTS workspaces_tenant_handle_key;
ALTER TABLE workspaces DROP COLUMN IF EXISTS tenant_handle;
