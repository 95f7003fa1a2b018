"""Fixtures for the REST tests: the app on the article dataset and on a generated one, a
database of its own holding API keys, and a way to run a route's GraphQL twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.auth.keys import create_key
from service.config import Settings
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.rest.operations import REST_DIR

GENERATED_ORGS = 300
GENERATED_SEED = 11


@asynccontextmanager
async def serving(url: str, settings: Settings | None = None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings or Settings(), database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture(scope="session")
async def http(migrated_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the article dataset."""
    async with serving(migrated_url) as client:
        yield client


@pytest.fixture(scope="session")
async def generated_rest_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """The article dataset plus a generated market."""
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(url, orgs=GENERATED_ORGS, seed=GENERATED_SEED)
    return url


@pytest.fixture(scope="session")
async def generated_http(generated_rest_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(generated_rest_url) as client:
        yield client


@pytest.fixture(params=["article", "generated"])
def dataset(request: pytest.FixtureRequest) -> httpx.AsyncClient:
    """Each test that takes it runs on both datasets."""
    name = "http" if request.param == "article" else "generated_http"
    client: httpx.AsyncClient = request.getfixturevalue(name)
    return client


@dataclass(frozen=True)
class Keys:
    read: str
    write: str
    admin: str

    @staticmethod
    def bearer(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
async def keyed_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """The article dataset in a database of its own, where tests may create keys."""
    from service.ingest.article import seed_article

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture(scope="session")
async def keys(keyed_url: str) -> Keys:
    conn = await asyncpg.connect(asyncpg_dsn(keyed_url))
    try:
        made = {}
        for scope in (Scope.READ, Scope.WRITE, Scope.ADMIN):
            _, secret = await create_key(conn, f"rest-{scope}", scope)
            made[str(scope)] = secret
    finally:
        await conn.close()
    return Keys(made["read"], made["write"], made["admin"])


@pytest.fixture(scope="session")
async def private_http(keyed_url: str, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """The app with reads that need a key, as in production."""
    async with serving(keyed_url, Settings.model_validate({"public_read": False})) as client:
        yield client


async def twin(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The same operation posted to /graphql, as a GraphQL client would send it."""
    document = (REST_DIR / f"{name.removeprefix('Rest')}.graphql").read_text(encoding="utf-8")
    response = await client.post(
        "/graphql",
        json={"query": document, "operationName": name, "variables": variables},
        headers=headers or {},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
