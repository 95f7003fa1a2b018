"""Fixtures: every test session gets its own databases on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from service.db import migrate
from service.db.pool import WRITE_SEARCH_PATH, create_pool
from tests.dbutil import create_database, drop_database, server_admin_url

# The suite sends far more requests, far faster, than any client's quota allows; only the
# guardrail tests (tests/guardrails), which switch them on, meet the rate limits.
os.environ.setdefault("STAKEGRAPH_RATE_LIMIT", "false")
# Likewise webhook deliverers: only the webhook tests (tests/webhooks) run one in the app.
os.environ.setdefault("STAKEGRAPH_WEBHOOK_DELIVERER", "off")

# In CI every run draws the same examples, so a red run can be reproduced and a green one
# means the same as the last; locally each run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def admin_url() -> str:
    return server_admin_url()


@pytest.fixture(scope="session")
async def empty_database_factory(
    admin_url: str,
) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Creates empty databases on demand; drops them all at the end of the session."""
    created: list[str] = []

    async def make() -> str:
        url = await create_database(admin_url)
        created.append(url)
        return url

    yield make
    for url in created:
        await drop_database(admin_url, url)


@pytest.fixture(scope="session")
async def migrated_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """A database at head with the article dataset loaded: the read-only fixture most tests use."""
    from service.ingest.article import seed_article

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture(scope="session")
async def pool(migrated_url: str) -> AsyncIterator[asyncpg.Pool]:
    # The tables themselves (not the service's live views): these tests check what is stored.
    pool = await create_pool(migrated_url, min_size=1, max_size=4, search_path=WRITE_SEARCH_PATH)
    yield pool
    await pool.close()


class Api:
    """The real app over ASGI: POSTs GraphQL documents and returns the decoded response."""

    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    async def query(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": document, "variables": variables or {}}
        if operation_name is not None:
            payload["operationName"] = operation_name
        response = await self.client.post("/graphql", json=payload)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="session")
async def api(migrated_url: str) -> AsyncIterator[Api]:
    from service.app import create_app

    app = create_app(database_url=migrated_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client)


@pytest.fixture(scope="session")
async def resolvers_api(migrated_url: str) -> AsyncIterator[Api]:
    """The app with the compiled read path switched off: every query runs through the
    resolvers, the reference semantics."""
    from service.app import create_app
    from service.config import Settings

    # Passed by name from a mapping: settings ignore keys they do not know.
    settings = Settings.model_validate({"compiler": False})
    app = create_app(settings, database_url=migrated_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client)
