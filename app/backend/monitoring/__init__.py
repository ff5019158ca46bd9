"""Monitoring: a project's runs over time (counts, errors, latency, tokens, cost per bucket)."""
