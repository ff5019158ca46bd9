-- Who controls an account, and feedback tokens the server names.
--
-- users.organization_id: the organization whose admin created the account (POST /users) or whose
-- invitation created it, so whose admins may know its password. NULL: the operator made it
-- (INITIAL_ADMIN_*, the CLI). An account managed by one organization cannot be pulled into
-- another organization's workspace, whose admins would then trust a password somebody else knows.
--
-- feedback_tokens.request_id: the `id` a client sends when it creates a presigned feedback token.
-- The token itself is always generated here (a caller-chosen token would be guessable); the
-- client's id only makes a retried create return the same token, within its workspace.
-- depends: 0010_model_providers

ALTER TABLE users ADD COLUMN organization_id uuid REFERENCES organizations (id) ON DELETE SET NULL;

ALTER TABLE feedback_tokens ADD COLUMN request_id uuid;
CREATE UNIQUE INDEX feedback_tokens_request_key ON feedback_tokens (workspace_id, request_id);
