-- Undo 0007_personal_keys.
ALTER TABLE api_keys DROP COLUMN IF EXISTS created_by;
