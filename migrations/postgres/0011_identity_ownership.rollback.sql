-- Undo 0011_identity_ownership.
DROP INDEX IF EXISTS feedback_tokens_request_key;
ALTER TABLE feedback_tokens DROP COLUMN IF EXISTS request_id;
ALTER TABLE users DROP COLUMN IF EXISTS organization_id;
