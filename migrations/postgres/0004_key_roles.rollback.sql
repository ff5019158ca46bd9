-- Undo 0004_key_roles.
ALTER TABLE api_keys DROP COLUMN IF EXISTS role;
