"""Webhooks: a workspace's destinations for events (alerts today, automations later)."""
