"""Following the change feed from a cursor: read what is there, then wait to be woken.

The feed lists only transactions below its horizon, its snapshot's xmin less other databases'
writers (docs/changes.md), so a notification can come before the change it announces is
listed: an older transaction of this database still runs. A follower that has heard of a
transaction not yet below the horizon of its last read is behind, and reads again every
``subscription_poll_ms`` until it is not; otherwise it sleeps until the next notification (or
``subscription_idle_poll_ms``, in case one was lost). Nothing is skipped or repeated: the
cursor moves only over rows handed out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

import asyncpg

from service.changes.cursor import Position
from service.config import Settings
from service.db.listen import ChangeSignal
from service.db.pool import Connection
from service.faults import UNAVAILABLE_ERRORS
from service.repository.changes import ChangeRow, read_changes
from service.repository.db import Db

log = logging.getLogger(__name__)

T = TypeVar("T")

# Rows read at once; a follower with more to catch up on reads again at once.
BATCH = 200
# A read that could not reach the database is tried again after this long, doubling up to
# the maximum: the subscription outlives a restart of the database.
RETRY_S = 0.5
RETRY_MAX_S = 10.0

# The feed's horizon (docs/changes.md): its snapshot's xmin, less other databases' writers.
XMIN_SQL = "SELECT sg_feed_horizon()"


async def reading(
    pool: asyncpg.Pool,
    settings: Settings,
    signal: ChangeSignal,
    work: Callable[[Connection], Awaitable[T]],
) -> T:
    """``work`` on a pooled connection, for a subscriber.

    Subscribers' reads take turns (``signal.reads``), so that a notification waking them all
    does not drain the pool that queries need, nor time out waiting on it; and a read that
    cannot reach the database is tried again, so that a subscription outlives a restart.
    """
    delay = RETRY_S
    while True:
        try:
            async with (
                signal.reads,
                pool.acquire(timeout=settings.pool_acquire_timeout_ms / 1000) as conn,
            ):
                return await work(conn)
        except UNAVAILABLE_ERRORS as exc:
            log.warning("change feed unavailable to a subscriber (%r); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)


async def read_after(
    pool: asyncpg.Pool,
    settings: Settings,
    signal: ChangeSignal,
    after: Position,
    tables: Sequence[str] | None,
) -> tuple[int, list[ChangeRow]]:
    """The xmin below which the read is complete, and the rows after ``after``.

    The xmin is read first, in its own statement: the feed's statement takes a later snapshot
    whose xmin is no smaller, so every transaction below the first xmin is in what it lists.
    """

    async def work(conn: Connection) -> tuple[int, list[ChangeRow]]:
        xmin: int = await conn.fetchval(XMIN_SQL)
        return xmin, await read_changes(Db(conn), after, tables, BATCH)

    return await reading(pool, settings, signal, work)


async def follow(
    pool: asyncpg.Pool,
    settings: Settings,
    signal: ChangeSignal,
    after: Position,
    tables: Sequence[str] | None,
) -> AsyncIterator[list[ChangeRow]]:
    """Batches of changes after ``after``, as they are committed, for ever."""
    position = after
    while True:
        wake = signal.waiter()
        xmin, rows = await read_after(pool, settings, signal, position, tables)
        if rows:
            position = rows[-1].position
            yield rows
            if len(rows) == BATCH:
                continue
        behind = signal.latest_txid >= xmin
        wait_ms = settings.subscription_poll_ms if behind else settings.subscription_idle_poll_ms
        try:
            async with asyncio.timeout(wait_ms / 1000):
                await wake.wait()
        except TimeoutError:
            pass
