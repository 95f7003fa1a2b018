"""A subscription's context: what its resolvers reach, and a fresh transaction per event.

A query's transaction lasts its request; a subscription lasts as long as its client, and a
transaction held that long would hold back every transaction's cleanup and the change feed's
xmin itself. So each event is resolved in a transaction of its own, opened on its first
statement (as a query's is) and closed before the subscription waits again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from service.config import Settings
from service.repository.session import LazyDb
from service.schema.context import Context, Loaders

if TYPE_CHECKING:
    from service.db.listen import ChangeSignal


class SubscriptionContext(Context):
    def __init__(self, pool: asyncpg.Pool, settings: Settings, signal: ChangeSignal) -> None:
        super().__init__(LazyDb(pool, settings, None), settings)
        self.pool = pool
        self.signal = signal

    async def next_event(self) -> None:
        """Ends the last event's transaction; the next event's opens when it first reads."""
        await self.db.close()
        self.db = LazyDb(self.pool, self.settings, None)
        self.loaders = Loaders(self.db, self.settings)
