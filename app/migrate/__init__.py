"""Schema migrations for both stores, and the first-start bootstrap (compose `migrate` service)."""
