"""A database with the article dataset and the hand-made deals of ``deals.py``, and the same
app twice on it (the compiled read path on and off) for the differential tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from service.db import migrate
from tests.bulk.conftest import run_import
from tests.compiler.conftest import Pair, _pair
from tests.entities.deals import deals_file


@pytest.fixture(scope="session")
async def deals_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    from service.ingest.article import seed_article

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    report = await run_import(url, deals_file())
    assert report.ok, report.describe()
    return url


@pytest.fixture(scope="session")
async def deals_pair(deals_url: str) -> AsyncIterator[Pair]:
    async for pair in _pair(deals_url):
        yield pair


# The write tests' fixtures (a database per module, keys of every scope, a client, a connection).
from tests.writes.conftest import client, conn, keys, write_url  # noqa: E402, F401
