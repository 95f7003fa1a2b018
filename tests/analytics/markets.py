"""A generated market in a database of its own, and the app serving it: the setting of the
tests that write and then compare what is kept with what is recomputed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx

from service.db import migrate
from tests.conftest import Api


async def generated_market(
    empty_database_factory: Callable[[], Awaitable[str]], orgs: int, seed: int
) -> str:
    """A database at head with the article dataset and ``orgs`` generated organizations."""
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database
    from service.ingest.progress import Progress

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(url, orgs=orgs, seed=seed, progress=Progress(enabled=False))
    return url


@asynccontextmanager
async def serving(url: str) -> AsyncIterator[Api]:
    """The app on ``url``, over ASGI."""
    from service.app import create_app

    app = create_app(database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client)
