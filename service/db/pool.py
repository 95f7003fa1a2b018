"""The asyncpg pool, and the one read transaction each request runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service.db.urls import asyncpg_dsn

# A plain connection or one borrowed from the pool: repositories accept either.
Connection = asyncpg.Connection | PoolConnectionProxy


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Dates and timestamps must format the same whatever the server's default zone is.
    await conn.execute("SET TIME ZONE 'UTC'")


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        asyncpg_dsn(url), min_size=min_size, max_size=max_size, init=_init_connection
    )
    assert pool is not None
    return pool


@asynccontextmanager
async def read_transaction(
    pool: asyncpg.Pool, *, statement_timeout_ms: int
) -> AsyncIterator[Connection]:
    """A read-only, repeatable-read transaction: one consistent snapshot per request."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.execute(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}")
        yield conn
