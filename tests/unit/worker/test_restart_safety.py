"""A queue process survives Redis going away: fresh worker names, and a lock release that cannot fail."""

from __future__ import annotations

import socket

import redis

from app.core import redis_keys
from tooling.runner.stores import free_port
from worker.__main__ import worker_name
from worker.leader import WriterLock


def test_each_worker_gets_its_own_name_under_the_hosts_prefix() -> None:
    # A container restarted by Docker keeps its host name and pid 1: only the random part keeps
    # rq from refusing the name of the previous, not yet expired, registration.
    names = {worker_name() for _ in range(50)}
    assert len(names) == 50
    # The healthcheck finds this host's worker by this prefix.
    assert all(n.startswith(f"{redis_keys.WORKER_NAME_PREFIX}.{socket.gethostname()}.") for n in names)


def test_releasing_the_writer_lock_with_redis_away_does_not_raise() -> None:
    refusing = redis.Redis(port=free_port(), socket_connect_timeout=1)
    lock = WriterLock(refusing, "writer-x", lock_seconds=10)
    lock.held = True
    lock.release()  # the lock expires by itself; the writer thread must not die on the way out
    assert not lock.held
