"""Threads: a project's conversations, its root runs grouped by thread_id (metadata session_id,
thread_id or conversation_id, derived at ingest)."""
