"""Invoke and stream: messages or a hub prompt against a configured provider."""
