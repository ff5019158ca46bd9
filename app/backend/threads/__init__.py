"""Threads: a project's conversations, its root runs grouped by thread_id (the first of metadata
session_id, conversation_id, thread_id that is set, derived at ingest)."""
