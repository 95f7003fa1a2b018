"""Automatic persisted queries shared between workers and replicas through Redis, within a byte
budget.

Registrations go into one Redis hash per day (``<prefix><day>``, sha256 → text), each hash
expiring ``DAYS`` days after its day began, with a counter of the bytes it holds. A day takes at
most ``budget_bytes / DAYS`` bytes of text; past that its registrations stay in the worker's own
memory only. So Redis never holds more than ``budget_bytes`` of registrations, whatever clients
send, and a document in use is registered again once its day's hash has expired.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from service.gateway.manifest import sha256_hex

DAYS = 8
DAY_S = 86_400
PREFIX = "stakegraph:apq:"
# What Redis may hold of registrations, all days together: many thousands of documents.
BUDGET_BYTES = 64 * 1_048_576


class SharedRegistrations:
    def __init__(
        self, redis: Redis, *, budget_bytes: int = BUDGET_BYTES, prefix: str = PREFIX
    ) -> None:
        self.redis = redis
        self.day_budget = budget_bytes // DAYS
        self.prefix = prefix

    def _today(self) -> int:
        return int(time.time()) // DAY_S

    async def get(self, sha: str) -> str | None:
        """The text registered under ``sha`` in any day still kept (checked against it)."""
        today = self._today()
        async with self.redis.pipeline(transaction=False) as pipe:
            for day in range(today, today - DAYS, -1):
                pipe.hget(f"{self.prefix}{day}", sha)
            found = await pipe.execute()
        for value in found:
            text = value.decode() if isinstance(value, bytes) else value
            if isinstance(text, str) and sha256_hex(text) == sha:
                return text
        return None

    async def put(self, sha: str, text: str) -> bool:
        """Registers ``text`` for every worker; False when today's share of the budget is spent."""
        day = self._today()
        key, counter = f"{self.prefix}{day}", f"{self.prefix}{day}:bytes"
        size = len(text.encode("utf-8"))
        expires_at = (day + DAYS) * DAY_S
        if await self.redis.hexists(key, sha):
            return True
        used = await self.redis.incrby(counter, size)
        await self.redis.expireat(counter, expires_at)
        if used > self.day_budget:
            await self.redis.decrby(counter, size)
            return False
        added = await self.redis.hsetnx(key, sha, text)
        await self.redis.expireat(key, expires_at)
        if not added:  # another worker registered it first: it is counted once
            await self.redis.decrby(counter, size)
        return True
