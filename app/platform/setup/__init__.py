"""First start: the one-time setup link that creates the first admin account."""
