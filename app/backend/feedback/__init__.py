"""Feedback: scores and comments on runs (and on whole experiments), stored in ClickHouse."""
