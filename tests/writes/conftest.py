"""Fixtures for the write tests: each module gets its own database, since these tests change it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
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
from service.ingest.article import seed_article


class Client:
    """The real app over ASGI, sending GraphQL with an optional key and idempotency key."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return await self.http.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=headers
        )

    async def gql(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        response = await self.post(document, variables, key=key, idempotency_key=idempotency_key)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
async def write_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """A database of its own at head with the article dataset, for one module's writes."""
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture
async def conn(write_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection on the tables themselves (the default search path)."""
    connection = await asyncpg.connect(asyncpg_dsn(write_url))
    await connection.execute("SET TIME ZONE 'UTC'")
    try:
        yield connection
    finally:
        await connection.close()


async def make_client(url: str, settings: Settings | None = None) -> AsyncIterator[Client]:
    app = create_app(settings or Settings(database_url=url), database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Client(http)


@pytest.fixture(scope="module")
async def client(write_url: str) -> AsyncIterator[Client]:
    async for made in make_client(write_url):
        yield made


@pytest.fixture(scope="module")
async def keys(write_url: str) -> dict[str, str]:
    """One key per scope, plus a revoked write key."""
    connection = await asyncpg.connect(asyncpg_dsn(write_url))
    try:
        made = {}
        for scope in Scope:
            _, made[scope.value] = await create_key(connection, f"test {scope}", scope)
        info, made["revoked"] = await create_key(connection, "revoked", Scope.WRITE)
        await connection.execute("UPDATE api_key SET revoked_at = now() WHERE id = $1", info.id)
        return made
    finally:
        await connection.close()
