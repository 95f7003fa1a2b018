"""Fixtures for the change-feed tests: a database of their own, since they write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from service.auth.keys import create_key
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.article import seed_article
from tests.writes.conftest import Client, make_client


@pytest.fixture(scope="module")
async def feed_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture(scope="module")
async def client(feed_url: str) -> AsyncIterator[Client]:
    async for made in make_client(feed_url):
        yield made


@pytest.fixture(scope="module")
async def write_key(feed_url: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(feed_url))
    try:
        _, secret = await create_key(connection, "feed writer", Scope.WRITE)
        return secret
    finally:
        await connection.close()


@pytest.fixture
async def connect(feed_url: str) -> AsyncIterator[Callable[[], Awaitable[asyncpg.Connection]]]:
    """Opens plain connections to the test database, closed after the test."""
    opened: list[asyncpg.Connection] = []

    async def open_one() -> asyncpg.Connection:
        connection = await asyncpg.connect(asyncpg_dsn(feed_url))
        opened.append(connection)
        return connection

    yield open_one
    for connection in opened:
        await connection.close()
