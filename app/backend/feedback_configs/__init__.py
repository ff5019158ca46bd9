"""Feedback configs: how a workspace reads a feedback key (continuous, categorical, freeform)."""
