"""Retention settings of a workspace and its projects (issue 19)."""
