"""Login throttling: how many password guesses an account gets, and from where.

Three counters in Redis, each for a 15-minute window:

- per account and address: `LOGIN_MAX_FAILURES` attempts, then 429 for that pair. An attacker
  locks out only their own address, never the account's owner elsewhere.
- per address, any account: 4x that, against one address spraying many accounts.
- per account, any address: past `CEILING_FACTOR` x `LOGIN_MAX_FAILURES` failures (many addresses
  guessing one account) the account is not locked; instead it gets one verification per
  `CEILING_BACKOFF_SECONDS`, whoever asks. The owner logging in from a fresh address waits a
  moment and gets in; a distributed guesser is slowed to that pace.

An attempt is reserved (the pair and address counters incremented) by one Lua script *before*
the slow password hash is verified, so concurrent guesses cannot all pass the check while the
first ones are still being verified. A correct password hands its reservation back; a wrong one
keeps it and counts against the account too.
"""

from __future__ import annotations

import msgspec
import redis.asyncio as aredis

from app.core import redis_keys

WINDOW_SECONDS = 900
ADDRESS_FACTOR = 4
CEILING_FACTOR = 4
CEILING_BACKOFF_SECONDS = 2

# KEYS: pair, address, account, account backoff slot.
# ARGV: pair limit, address limit, account ceiling, window seconds, backoff milliseconds.
# Returns {1, 0} when the attempt is reserved, else {0, seconds to wait}.
_RESERVE = """
local pair = tonumber(redis.call('GET', KEYS[1]) or '0')
local addr = tonumber(redis.call('GET', KEYS[2]) or '0')
if pair >= tonumber(ARGV[1]) or addr >= tonumber(ARGV[2]) then
  local wait = math.max(redis.call('TTL', KEYS[1]), redis.call('TTL', KEYS[2]), 1)
  return {0, wait}
end
local failures = tonumber(redis.call('GET', KEYS[3]) or '0')
if failures >= tonumber(ARGV[3]) then
  if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[5]) then
    return {0, math.max(math.ceil(redis.call('PTTL', KEYS[4]) / 1000), 1)}
  end
end
for i = 1, 2 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[4]) end
end
return {1, 0}
"""

# A wrong password: the reservation stays as a failure, and the account's own count grows.
_FAIL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# A right password: this address starts afresh for this account, and the address's reservation
# is handed back. The account's failure count stays: a login by the owner must not reset what
# someone else's guesses added up to.
_SUCCEED = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
"""


# The attempt never got an answer (a store failed mid-way): hand the reservation back without
# counting it, and without clearing earlier failures as a success would.
_RELEASE = """
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
"""


class Refused(msgspec.Struct, frozen=True):
    retry_after: int


class Attempt(msgspec.Struct, frozen=True):
    pair: str
    address: str
    account: str
    slot: str


def attempt_keys(email: str, address: str) -> Attempt:
    return Attempt(
        pair=redis_keys.login_pair(email, address),
        address=redis_keys.login_address(address),
        account=redis_keys.login_account(email),
        slot=redis_keys.login_slot(email),
    )


def setup_attempt_keys(address: str) -> Attempt:
    """A guess at the one-time setup token (app/platform/setup/) counts like a password guess:
    `LOGIN_MAX_FAILURES` per address, against the same per-address budget as logins (one address
    guessing credentials of any kind), and past the ceiling from all addresses together one
    verification per `CEILING_BACKOFF_SECONDS`, which slows a spread-out guesser and never locks
    the operator out."""
    return Attempt(
        pair=redis_keys.setup_address(address),
        address=redis_keys.login_address(address),
        account=redis_keys.SETUP_ANY,
        slot=redis_keys.SETUP_SLOT,
    )


def account_keys(email: str) -> tuple[list[str], str]:
    """The account's own counters, and the pattern of its per-address ones (for an operator's
    reset: an address's count across all accounts is about that address, so it stays)."""
    return [redis_keys.login_account(email), redis_keys.login_slot(email)], redis_keys.login_pair_pattern(email)


async def reserve(redis: aredis.Redis, attempt: Attempt, limit: int) -> Refused | None:
    """Reserve one verification for this attempt, or say how long to wait."""
    ok, wait = await redis.eval(
        _RESERVE,
        4,
        attempt.pair,
        attempt.address,
        attempt.account,
        attempt.slot,
        limit,
        limit * ADDRESS_FACTOR,
        limit * CEILING_FACTOR,
        WINDOW_SECONDS,
        CEILING_BACKOFF_SECONDS * 1000,
    )
    return None if int(ok) == 1 else Refused(retry_after=int(wait))


async def failed(redis: aredis.Redis, attempt: Attempt) -> int:
    """Record a wrong password; returns this address's attempts at this account in the window."""
    await redis.eval(_FAIL, 1, attempt.account, WINDOW_SECONDS)
    return int(await redis.get(attempt.pair) or 0)


async def succeeded(redis: aredis.Redis, attempt: Attempt) -> None:
    await redis.eval(_SUCCEED, 2, attempt.pair, attempt.address)


async def release(redis: aredis.Redis, attempt: Attempt) -> None:
    await redis.eval(_RELEASE, 2, attempt.pair, attempt.address)
