-- Undo 0006_invites.
DROP TABLE IF EXISTS invites;
