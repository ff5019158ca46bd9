"""Authentication, organizations/workspaces/API keys, and (later) the high-volume ingest endpoints."""
