"""The sync Redis client's sockets probe their peer (app/core/redis.py): a blocked read on a
connection whose peer vanished without a FIN must fail, not wait forever. Checked on a real socket
against a local listener; no Redis is needed because only the TCP connection is opened."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from app.core.redis import KEEPALIVE_OPTIONS, sync_redis
from app.core.settings import RedisSettings


@pytest.fixture
def listener() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_sync_connections_keep_alive(listener: int) -> None:
    settings = RedisSettings(redis_url=f"redis://127.0.0.1:{listener}/0")
    connection = sync_redis(settings).connection_pool.make_connection()
    # `_connect` opens the socket with the client's options and sends nothing (no handshake).
    sock = connection._connect()
    try:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        for option, value in KEEPALIVE_OPTIONS.items():
            assert sock.getsockopt(socket.IPPROTO_TCP, option) == value
        # A dead peer is given up within this bound, well under the writer lock's lifetime.
        idle, interval, count = (
            KEEPALIVE_OPTIONS[o] for o in (socket.TCP_KEEPIDLE, socket.TCP_KEEPINTVL, socket.TCP_KEEPCNT)
        )
        assert idle + interval * count <= 30
    finally:
        sock.close()
