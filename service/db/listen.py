"""One LISTEN connection per process: hears that a transaction wrote audit rows and wakes
every subscriber of the process, which then reads the change feed from its own cursor.

A notification only says "read again": the feed is what is delivered, so a lost or doubled
notification loses or doubles nothing. When the connection drops it is opened again, and
every subscriber is woken once it is back, since notifications sent meanwhile were missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from service.db.urls import asyncpg_dsn

log = logging.getLogger(__name__)

# The channel migration 0022_change_notify's trigger notifies, with the writing txid.
CHANNEL = "sg_changes"
APPLICATION_NAME = "stakegraph-listen"
# A connection that fails is tried again after this long, doubling up to the maximum.
RETRY_S = 0.5
RETRY_MAX_S = 10.0
# A silent network can leave a dead connection looking open: it is probed this often.
PROBE_S = 15.0


class ChangeSignal:
    def __init__(self, url: str, concurrent_reads: int = 4) -> None:
        self._dsn = asyncpg_dsn(url)
        # How many of the woken subscribers read the feed at once (each on a pooled connection).
        self.reads = asyncio.Semaphore(max(1, concurrent_reads))
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # The greatest transaction heard of: a subscriber whose feed has not reached it yet
        # reads again soon rather than waiting for the next notification.
        self.latest_txid = 0
        self.connected = asyncio.Event()
        self.connections = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="change-signal")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def waiter(self) -> asyncio.Event:
        """Set at the next wake-up; take it before reading, so that a notification arriving
        during the read is not missed."""
        return self._wake

    def _wake_all(self) -> None:
        woken, self._wake = self._wake, asyncio.Event()
        woken.set()

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        if isinstance(payload, str) and payload.isdigit():
            self.latest_txid = max(self.latest_txid, int(payload))
        self._wake_all()

    async def _run(self) -> None:
        delay = RETRY_S
        while True:
            try:
                await self._listen()
                delay = RETRY_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is down or the connection broke
                log.warning("change notifications: connection lost (%r); retrying", exc)
            self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    async def _listen(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(
            self._dsn, server_settings={"application_name": APPLICATION_NAME}
        )
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._heard)
            self.connections += 1
            self.connected.set()
            # Whatever was committed while nobody listened is read now.
            self._wake_all()
            while not lost.is_set():
                try:
                    async with asyncio.timeout(PROBE_S):
                        await lost.wait()
                except TimeoutError:
                    await conn.fetchval("SELECT 1", timeout=PROBE_S)
        finally:
            with contextlib.suppress(Exception):
                await conn.close(timeout=1)
