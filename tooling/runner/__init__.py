"""The native runner: the compose services as local processes, for `./tracehouse` and the tests.

It starts the same commands with the same environment keys as compose.yaml, on loopback ports,
with every byte of state under one data directory.
"""
