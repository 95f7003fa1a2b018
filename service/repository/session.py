"""The request's database session: one transaction, opened on its first statement, read-only
at the request's recorded time or read-write for a mutation, committed or rolled back in one
place (service/gateway/execute.py decides which)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import asyncpg.transaction

from service.config import Settings
from service.db.pool import Connection, begin_write, read_transaction
from service.repository.db import Db


class LazyDb(Db):
    """Opens the request's transaction on the first statement, so requests that never touch the
    database (introspection, refused queries) never take a connection."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, log: list[str] | None) -> None:
        self._pool = pool
        self._settings = settings
        self._stack = AsyncExitStack()
        self._opened = False
        # Sibling resolvers can reach their first statement together; without this they would
        # each open a transaction and then share one connection through different locks.
        self._opening = asyncio.Lock()
        self._statement_log = log
        # Set by the permissions extension before any resolver runs (service/schema/
        # permissions.py): the recorded time a query reads as of, or that the operation is a
        # mutation, which runs in one read-write transaction acting as ``key_id``.
        self.as_of: dt.datetime | None = None
        self.writing = False
        self.key_id: int | None = None
        self._write: asyncpg.transaction.Transaction | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    @property
    def opened(self) -> bool:
        return self._opened

    async def _open(self) -> None:
        timeout = self._settings.statement_timeout_ms
        acquire = self._settings.pool_acquire_timeout_ms / 1000
        conn: Connection
        if self.writing:
            conn = await self._stack.enter_async_context(self._pool.acquire(timeout=acquire))
            self._write = conn.transaction()
            await self._write.start()
            await begin_write(conn, statement_timeout_ms=timeout, key_id=self.key_id)
        else:
            conn = await self._stack.enter_async_context(
                read_transaction(
                    self._pool,
                    statement_timeout_ms=timeout,
                    as_of=self.as_of,
                    acquire_timeout_s=acquire,
                )
            )
        super().__init__(conn, self._statement_log)
        self._opened = True

    async def ensure_open(self) -> None:
        if not self._opened:
            async with self._opening:
                if not self._opened:
                    await self._open()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """One mutation's writes: all of them or, on any exception, none."""
        await self.ensure_open()
        async with self._lock:
            savepoint = self._conn.transaction()
            await savepoint.start()
        try:
            yield
        except BaseException:
            async with self._lock:
                await savepoint.rollback()
            raise
        async with self._lock:
            await savepoint.commit()

    async def commit(self) -> None:
        """Ends a mutation request's transaction; until then none of its writes is visible."""
        if self._write is not None:
            async with self._lock:
                write, self._write = self._write, None
                await write.commit()

    async def fetch_sql(self, sql: str, args: Sequence[Any] = ()) -> list[asyncpg.Record]:
        await self.ensure_open()
        return await super().fetch_sql(sql, args)

    async def close(self) -> None:
        if self._opened:
            # A DataLoader batch runs in a task of its own, which the executor does not cancel
            # when a sibling field fails: let its statement finish before the connection goes
            # back to the pool, and refuse any statement after that.
            async with self._lock:
                self._closed = True
                if self._write is not None:
                    # A mutation request that did not reach its commit writes nothing.
                    write, self._write = self._write, None
                    await write.rollback()
                await self._stack.aclose()
        else:
            await self._stack.aclose()
