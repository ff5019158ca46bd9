"""Webhook events and their delivery, shared by whoever raises an event (the backend's "send
test", the queue's alert evaluation, later automation rules) and the queue job that sends them."""
