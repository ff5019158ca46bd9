"""The ingest endpoints: accept, validate the envelope, store durably, answer 202."""
