"""Leaky buckets of query-cost points: in this process, or in Redis for every worker at once.

A bucket holds at most ``capacity`` points and regains ``restore`` points per second. A request
takes its cost out if that many are there, and is refused otherwise with the time until they
will be; a negative cost gives points back (the part of a request's estimate it did not use).
Both stores give the same answers; Redis's does it in one atomic script on Redis's own clock,
so that workers on different clocks share one bucket exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Quota:
    capacity: int
    restore: int


@dataclass(frozen=True)
class Taken:
    allowed: bool
    # Points left in the bucket once this request's cost is out (or would be left, if refused).
    available: float
    # Seconds until the bucket holds this request's cost; 0 when it was allowed.
    retry_after: float


class Buckets(Protocol):
    async def take(self, key: str, quota: Quota, cost: int) -> Taken: ...


def _leak(tokens: float, quota: Quota, cost: int) -> Taken:
    if cost <= tokens:
        return Taken(True, min(float(quota.capacity), tokens - cost), 0.0)
    return Taken(False, tokens, (cost - tokens) / quota.restore)


class LocalBuckets:
    """The buckets of this process."""

    def __init__(self, clock: Any = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._state: dict[str, tuple[float, float]] = {}
        self._max_keys = max_keys

    async def take(self, key: str, quota: Quota, cost: int) -> Taken:
        return self.take_now(key, quota, cost)

    def take_now(self, key: str, quota: Quota, cost: int) -> Taken:
        now = self._clock()
        tokens, at = self._state.get(key, (float(quota.capacity), now))
        tokens = min(float(quota.capacity), tokens + max(0.0, now - at) * quota.restore)
        taken = _leak(tokens, quota, cost)
        if len(self._state) >= self._max_keys and key not in self._state:
            self._forget_full(now)
        self._state[key] = (taken.available, now)
        return taken

    def _forget_full(self, now: float) -> None:
        # Buckets idle long enough to be full again hold nothing worth keeping; without this a
        # stream of client addresses would grow the table without bound.
        oldest = sorted(self._state.items(), key=lambda item: item[1][1])
        for key, _ in oldest[: max(1, len(oldest) // 10)]:
            del self._state[key]


# KEYS[1]: the bucket; ARGV: capacity, restore per second, cost (negative: a refund).
# Floats cross the Lua boundary as strings: Redis truncates Lua numbers to integers.
TAKE_SCRIPT = """
local capacity = tonumber(ARGV[1])
local restore = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * restore)
local allowed = 0
local retry = 0
if cost <= tokens then
  tokens = math.min(capacity, tokens - cost)
  allowed = 1
else
  retry = (cost - tokens) / restore
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / restore * 1000) + 1000)
return {allowed, tostring(tokens), tostring(retry)}
"""


class RedisBuckets:
    """Buckets every worker process shares, kept in Redis under ``prefix``."""

    def __init__(self, url: str, *, timeout_s: float, prefix: str = "stakegraph:bucket:") -> None:
        import redis.asyncio as redis

        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._script = self._client.register_script(TAKE_SCRIPT)
        self._prefix = prefix

    async def take(self, key: str, quota: Quota, cost: int) -> Taken:
        allowed, tokens, retry = await self._script(
            keys=[self._prefix + key], args=[quota.capacity, quota.restore, cost]
        )
        return Taken(bool(int(allowed)), float(tokens), float(retry))
