"""API keys of the caller's workspace: create (shown once), list, revoke."""
