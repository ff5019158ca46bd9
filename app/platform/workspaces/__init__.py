"""Workspaces visible to the caller."""
