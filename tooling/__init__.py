"""Tooling: the `./tracehouse` command and the native supervisor. Never imported by a service."""
