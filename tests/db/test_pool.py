"""Pool connections keep their session settings across releases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from service.db.pool import create_pool, mark_stateless
from service.db.urls import asyncpg_dsn


async def test_time_zone_survives_release(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> None:
    url = await empty_database_factory()
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # A server whose default zone is not UTC: dates must still come out in UTC.
        await conn.execute(f"ALTER DATABASE {name} SET timezone = 'Asia/Shanghai'")
    finally:
        await conn.close()
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        for _ in range(3):  # every release runs RESET ALL on the connection
            async with pool.acquire() as pooled:
                assert await pooled.fetchval("SHOW TimeZone") == "UTC"
    finally:
        await pool.close()


async def test_only_a_borrowing_marked_stateless_skips_the_reset(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> None:
    url = await empty_database_factory()
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        # Unmarked: what a borrower set for its session is reset before the next one.
        async with pool.acquire() as pooled:
            await pooled.execute("SET application_name = 'left behind'")
        async with pool.acquire() as pooled:
            assert await pooled.fetchval("SHOW application_name") == "stakegraph"
        # Marked inside a transaction: not stateless, so the reset still runs.
        async with pool.acquire() as pooled:
            async with pooled.transaction():
                await pooled.execute("SET application_name = 'in a transaction'")
                mark_stateless(pooled)
            await pooled.execute("SET application_name = 'after it'")
        async with pool.acquire() as pooled:
            assert await pooled.fetchval("SHOW application_name") == "stakegraph"
        # Marked outside one: the pool trusts the mark and skips the round trip of a reset,
        # which is why only borrowers that change no session state may mark.
        async with pool.acquire() as pooled:
            await pooled.execute("SET application_name = 'trusted mark'")
            mark_stateless(pooled)
        async with pool.acquire() as pooled:
            assert await pooled.fetchval("SHOW application_name") == "trusted mark"
        # The mark is for one borrowing only.
        async with pool.acquire() as pooled:
            pass
        async with pool.acquire() as pooled:
            assert await pooled.fetchval("SHOW application_name") == "stakegraph"
    finally:
        await pool.close()
