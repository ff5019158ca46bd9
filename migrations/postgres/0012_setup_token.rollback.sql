-- Undo 0012_setup_token.
DROP TABLE IF EXISTS setup_token;
