-- Undo 0003_sharing_and_feedback_tokens.
DROP TABLE IF EXISTS feedback_tokens;
DROP TABLE IF EXISTS run_shares;
