"""Running deliverers: a task in each server process (``STAKEGRAPH_WEBHOOK_DELIVERER``), or
the ``stakegraph worker`` process. Each has a small pool of its own, so that deliveries never
take a connection a request is waiting for."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from service.config import Settings
from service.db.pool import WRITE_SEARCH_PATH, create_pool
from service.webhooks.deliverer import Deliverer

POOL_SIZE = 2


@asynccontextmanager
async def delivering(url: str, settings: Settings) -> AsyncIterator[Deliverer]:
    """A deliverer running in a task of this event loop until the block ends; what it had
    claimed and not finished is taken again by any deliverer once its lease expires."""
    pool = await create_pool(
        url,
        min_size=0,
        max_size=POOL_SIZE,
        search_path=WRITE_SEARCH_PATH,
        statement_timeout_ms=settings.statement_timeout_ms,
        connect_timeout_s=settings.connect_timeout_ms / 1000,
    )
    deliverer = Deliverer(pool, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(deliverer.run(stop), name="webhook-deliverer")
    try:
        yield deliverer
    finally:
        stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=settings.webhook_timeout_ms / 1000)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await pool.close()


async def deliver_due(url: str, settings: Settings) -> int:
    """Attempts every delivery due now (each once), then returns how many it attempted."""
    pool = await create_pool(url, min_size=1, max_size=POOL_SIZE, search_path=WRITE_SEARCH_PATH)
    deliverer = Deliverer(pool, settings)
    attempted = 0
    try:
        while (claimed := await deliverer.run_once()) > 0:
            attempted += claimed
    finally:
        await deliverer.aclose()
        await pool.close()
    return attempted


async def work(url: str, settings: Settings, stop: asyncio.Event) -> None:
    """``stakegraph worker``: delivers until ``stop`` is set."""
    async with delivering(url, settings):
        await stop.wait()
