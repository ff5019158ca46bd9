"""Organizations, workspaces and API keys: the tenancy model every service relies on."""
