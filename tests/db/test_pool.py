"""Pool connections keep their session settings across releases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from service.db.pool import create_pool
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
