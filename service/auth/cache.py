"""Verified API keys, remembered by each worker while it hears of every change to them.

Looking a key up costs a pooled connection and a round trip on every keyed request, as much
as a cheap compiled read. A worker remembers the keys it has verified, and trusts that memory
only while its own LISTEN connection is open on ``sg_api_keys``, on which migration 0028's
trigger notifies every committed insert, update or delete of ``api_key`` (a revocation, a new
quota). A notification forgets everything remembered, so a revoked key is refused as soon as
its notification arrives: a few milliseconds after the revoking transaction commits, from the
command line, a mutation or plain SQL alike. Without a LISTEN connection (the database
unreachable, the connection lost) nothing is trusted and every request looks its key up, as
it would without this cache; entries also expire after ``key_cache_seconds`` whatever happens.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from service.auth.keys import Principal
from service.db.urls import asyncpg_dsn

log = logging.getLogger(__name__)

CHANNEL = "sg_api_keys"
# Reconnecting the LISTEN connection is tried at most this often while it is down.
RETRY_S = 2.0


class KeyCache:
    def __init__(self, url: str, ttl_s: float, max_entries: int) -> None:
        self._url = url
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._conn: asyncpg.Connection | None = None
        # Bumped by every forgetting, so that a lookup that straddles a notification does
        # not remember what it read before the change.
        self._generation = 0
        self._next_attempt = 0.0
        self._connecting: asyncio.Task[None] | None = None
        self.on_change: list[Callable[[], None]] = []

    @property
    def enabled(self) -> bool:
        return self._ttl_s > 0

    @property
    def trusted(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def start(self) -> None:
        if self.enabled:
            await self._listen()

    async def close(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        conn, self._conn = self._conn, None
        self.forget()
        if conn is not None and not conn.is_closed():
            await conn.close()

    def forget(self) -> None:
        self._generation += 1
        self._entries.clear()
        for callback in self.on_change:
            callback()

    async def principal(self, token: str, lookup: Callable[[], Awaitable[Principal]]) -> Principal:
        """The principal of ``token``, looked up by ``lookup`` unless remembered."""
        if not self.enabled:
            return await lookup()
        if not self.trusted:
            self._reconnect_later()
            return await lookup()
        now = time.monotonic()
        entry = self._entries.get(token)
        if entry is not None and now - entry[1] < self._ttl_s:
            return entry[0]
        generation = self._generation
        principal = await lookup()
        if generation == self._generation and self.trusted:
            if len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[token] = (principal, now)
        return principal

    async def _listen(self) -> None:
        try:
            conn = await asyncpg.connect(asyncpg_dsn(self._url), timeout=5)
            await conn.add_listener(CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("API keys are looked up on every request: cannot listen (%r)", exc)
            self._next_attempt = time.monotonic() + RETRY_S
            return
        conn.add_termination_listener(self._lost)
        # Whatever changed while nobody listened is unknown: start from nothing.
        self.forget()
        self._conn = conn

    def _notified(self, *_: Any) -> None:
        self.forget()

    def _lost(self, *_: Any) -> None:
        self._conn = None
        self.forget()
        self._next_attempt = time.monotonic() + RETRY_S

    def _reconnect_later(self) -> None:
        if self._connecting is not None and not self._connecting.done():
            return
        if time.monotonic() < self._next_attempt:
            return
        self._next_attempt = time.monotonic() + RETRY_S
        self._connecting = asyncio.get_running_loop().create_task(self._listen())
