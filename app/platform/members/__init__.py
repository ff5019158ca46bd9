"""Workspace members and invitations."""
