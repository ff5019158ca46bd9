"""Annotation queues: review lists of runs with a rubric (LangSmith `/annotation-queues`)."""
