-- Undo 0005_users_and_sessions.
ALTER TABLE api_keys DROP COLUMN IF EXISTS user_id;
DROP TABLE IF EXISTS workspace_members;
DROP TABLE IF EXISTS users;
