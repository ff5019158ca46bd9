"""Which queue worker's writer is the active one: a Redis lock with an expiry, renewed each loop.

Every queue worker runs a writer thread; the lock makes exactly one of them active, and a standby
takes over within the lock's lifetime (WRITER_LOCK_SECONDS) when the holder dies or stalls.
"""

from __future__ import annotations

import enum
import logging

import redis

from app.core import redis_keys

log = logging.getLogger("tracehouse.writer")

# Extend the lock only if we still hold it (a stale writer must not steal it back).
RENEW_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE_IF_OWNER = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end"


class Lead(enum.Enum):
    """The answer of `WriterLock.claim`."""

    NONE = "none"  # another writer holds the lock
    KEPT = "kept"  # we held it and renewed it
    TAKEN = "taken"  # we did not hold it and now do: what others wrote since is unknown to us


class WriterLock:
    """The writer lock as one owner sees it. Not thread-safe: one writer thread owns one."""

    def __init__(self, connection: redis.Redis, owner: str, lock_seconds: float) -> None:
        self.redis = connection
        self.owner = owner
        self.lock_ms = int(lock_seconds * 1000)
        self.held = False
        self._renew = connection.register_script(RENEW_IF_OWNER)

    def claim(self) -> Lead:
        """Renew the lock if we hold it, else try to take it."""
        if self.held and self._renew(keys=[redis_keys.WRITER_LOCK], args=[self.owner, self.lock_ms]):
            return Lead.KEPT
        self.held = bool(self.redis.set(redis_keys.WRITER_LOCK, self.owner, nx=True, px=self.lock_ms))
        if not self.held:
            return Lead.NONE
        log.info("writer %s is now the active writer", self.owner)
        return Lead.TAKEN

    def release(self) -> None:
        """Give the lock up at once (a standby need not wait for it to expire), if still ours."""
        if not self.held:
            return
        self.held = False
        try:
            self.redis.eval(RELEASE_IF_OWNER, 1, redis_keys.WRITER_LOCK, self.owner)
        except redis.RedisError as exc:
            # Redis is away: the lock then lapses on its own within its lifetime.
            log.warning("writer %s could not release the lock (%s); it expires by itself", self.owner, exc)
