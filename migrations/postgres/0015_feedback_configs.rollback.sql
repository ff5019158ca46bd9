-- Undo 0015_feedback_configs.
DROP TABLE IF EXISTS feedback_configs;
