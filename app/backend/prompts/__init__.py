"""Prompt hub: repos, commits, tags and likes (wire §7)."""
