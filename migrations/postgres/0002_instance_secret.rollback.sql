-- Undo 0002_instance_secret.
DROP TABLE IF EXISTS instance_settings;
