"""A workspace's model providers: which API, where, and its (write-only) key."""
