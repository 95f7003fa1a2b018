"""The asyncpg pool, the one read transaction each request runs in, and the write transaction
each mutation request runs in.

Which rows a statement sees is chosen by ``search_path``, not by rewriting queries: the
repositories and the compiler name tables unqualified, and the ``live`` schema (migration 0004)
holds a view per versioned table showing its current, not retired rows, the ``asof`` schema one
showing what was current at ``stakegraph.as_of``. Pool connections start on ``live, public``,
so every reader of the pool (resolvers, the compiler, REST) hides retired rows; a read
transaction switches to ``asof, public`` for as-of reads. Writers name ``public.<table>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service.db.urls import asyncpg_dsn

# A plain connection or one borrowed from the pool: repositories accept either.
Connection = asyncpg.Connection | PoolConnectionProxy

LIVE_SEARCH_PATH = "live, public"
AS_OF_SEARCH_PATH = "asof, public"
WRITE_SEARCH_PATH = "public"


APPLICATION_NAME = "stakegraph"


class ServiceConnection(asyncpg.Connection):
    """A pooled connection that knows whether its borrower left session state behind.

    asyncpg resets every connection it takes back (``RESET ALL``, ``UNLISTEN *``, advisory
    locks, cursors): one more round trip per borrowing. A borrower that ran only plain
    statements outside a transaction (a compiled read, a key lookup) changed nothing a reset
    would undo, says so with ``mark_stateless``, and the pool skips the reset for it.
    """

    __slots__ = ("_sg_stateless",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sg_stateless = False

    def mark_stateless(self) -> None:
        """This borrowing ran no SET, LISTEN, cursor, lock or transaction: no reset needed."""
        self._sg_stateless = not self.is_in_transaction()

    def take_stateless(self) -> bool:
        stateless, self._sg_stateless = self._sg_stateless, False
        return stateless


async def _reset(conn: asyncpg.Connection) -> None:
    """What asyncpg's own reset does, unless the borrower marked the connection stateless.
    (asyncpg has already rolled back any open transaction before calling this.)"""
    if isinstance(conn, ServiceConnection) and conn.take_stateless():
        return
    query = conn.get_reset_query()
    if query:
        await conn.execute(query)


def mark_stateless(conn: Any) -> None:
    """Marks a borrowed connection (or its pool proxy) as left without session state."""
    mark = getattr(conn, "mark_stateless", None)
    if mark is not None:
        mark()


class PoolFull(TimeoutError):
    """Too many requests are already waiting for a connection: refused at once, not queued."""


class MeteredPool(asyncpg.Pool):
    """The pool, counting what it lends and who waits (the ``stakegraph_db_pool_*`` metrics),
    and refusing a borrower at once when ``max_waiting`` are already queued."""

    def __init__(self, *args: Any, max_waiting: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_waiting = max_waiting
        self._waiting = 0

    async def _acquire(self, timeout: float | None) -> PoolConnectionProxy:  # noqa: ASYNC109
        from service.telemetry import metrics

        # No free connection (asyncpg keeps one holder per free slot in its queue) and the
        # queue of borrowers already at its bound.
        must_wait = self._queue.empty()  # type: ignore[attr-defined]
        if must_wait and self._max_waiting is not None and self._waiting >= self._max_waiting:
            raise PoolFull(f"{self._waiting} requests already wait for a database connection")
        self._waiting += 1
        metrics.POOL_WAITING.inc()
        try:
            proxy: PoolConnectionProxy = await super()._acquire(timeout)  # type: ignore[misc]
        finally:
            self._waiting -= 1
            metrics.POOL_WAITING.dec()
        metrics.POOL_IN_USE.inc()
        return proxy

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        from service.telemetry import metrics

        try:
            await super().release(connection, timeout=timeout)
        finally:
            metrics.POOL_IN_USE.dec()


async def create_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    search_path: str = LIVE_SEARCH_PATH,
    statement_timeout_ms: int | None = None,
    connect_timeout_s: float = 5.0,
    max_waiting: int | None = None,
) -> asyncpg.Pool:
    """The service's pool reads the live views; tools that inspect what is stored (tests of
    constraints, loaders) pass ``WRITE_SEARCH_PATH`` to see the tables themselves.

    The service passes ``statement_timeout_ms``: then no statement on these connections, in a
    transaction or not, outlives it. JIT is off for everyone: the API's statements are short,
    and PostgreSQL's JIT compiler of a huge expression neither finishes soon nor answers a
    cancel while it compiles."""
    # Startup parameters, not SETs: they survive the RESET ALL of every release to the pool.
    # The zone makes dates and timestamps format the same whatever the server's default.
    server_settings = {
        "search_path": search_path,
        "TimeZone": "UTC",
        "jit": "off",
        "application_name": APPLICATION_NAME,
    }
    if statement_timeout_ms is not None:
        server_settings["statement_timeout"] = str(int(statement_timeout_ms))
        # A connection left in a transaction by a crashed client is freed too.
        server_settings["idle_in_transaction_session_timeout"] = str(int(statement_timeout_ms) * 2)
    pool = MeteredPool(
        asyncpg_dsn(url),
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=ServiceConnection,
        record_class=asyncpg.Record,
        reset=_reset,
        max_waiting=max_waiting,
        timeout=connect_timeout_s,
        server_settings=server_settings,
    )
    await pool
    return pool


async def set_transaction_view(
    conn: Connection, *, statement_timeout_ms: int, as_of: dt.datetime | None = None
) -> None:
    """The current transaction's timeout, and whether it reads now or as of a recorded time.

    One statement, so that choosing the view costs no extra round trip.
    """
    await conn.execute(
        "SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true),"
        " set_config('stakegraph.as_of', $3, true)",
        str(int(statement_timeout_ms)),
        LIVE_SEARCH_PATH if as_of is None else AS_OF_SEARCH_PATH,
        "" if as_of is None else _utc_text(as_of),
    )


def _utc_text(moment: dt.datetime) -> str:
    """The moment in UTC: Python admits offsets up to ±23:59, PostgreSQL only up to ±15:59.
    Moments that UTC puts outside Python's years 1-9999 read as those ends, which show the
    same rows (nothing yet, or everything recorded)."""
    if moment.tzinfo is None:
        return moment.isoformat()
    try:
        return moment.astimezone(dt.UTC).isoformat()
    except OverflowError:
        end = dt.datetime.min if moment.year == dt.MINYEAR else dt.datetime.max
        return end.replace(tzinfo=dt.UTC).isoformat()


@asynccontextmanager
async def read_transaction(
    pool: asyncpg.Pool,
    *,
    statement_timeout_ms: int,
    as_of: dt.datetime | None = None,
    acquire_timeout_s: float | None = None,
) -> AsyncIterator[Connection]:
    """A read-only, repeatable-read transaction: one consistent snapshot per request, of the
    current rows or (``as_of``) of the rows as recorded at that moment."""
    async with pool.acquire(timeout=acquire_timeout_s) as conn:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await set_transaction_view(conn, statement_timeout_ms=statement_timeout_ms, as_of=as_of)
            yield conn
        # Its settings were the transaction's own (set_config(..., true)) and ended with it.
        mark_stateless(conn)


async def begin_write(conn: Connection, *, statement_timeout_ms: int, key_id: int | None) -> None:
    """Settings of a write transaction already begun on ``conn``: the acting API key, which the
    versioning and audit triggers record. Reads in it (a mutation's payload) see the live views
    like any other read; the mutations' SQL names the tables as ``public.<table>``."""
    await conn.execute(
        "SELECT set_config('statement_timeout', $1, true), set_config('search_path', $2, true),"
        " set_config('stakegraph.key_id', $3, true)",
        str(int(statement_timeout_ms)),
        LIVE_SEARCH_PATH,
        "" if key_id is None else str(key_id),
    )
