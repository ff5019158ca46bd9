#!/bin/sh
# Any `redis-server ...` command (compose.yaml passes its own flags) gets protected mode off; any
# other command runs as given.
set -eu
if [ "${1:-}" = "redis-server" ]; then
  shift
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
