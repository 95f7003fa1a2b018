"""Failures to reach the database at all (down, restarting, the pool exhausted or closing): the
client may retry, and nothing about the query is wrong. Every layer that answers a request
tells these apart from the query's own errors."""

from __future__ import annotations

import asyncpg

UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.PostgresConnectionError,
)
