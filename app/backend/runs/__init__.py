"""Runs as the read side serves them. Issue 4 adds the query language and stats; this is a run
by id and its attachments."""
