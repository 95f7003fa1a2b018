"""Fixtures for the analytics tests: the article dataset (from the root conftest) and a
database holding the article dataset plus a generated market around it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.db import migrate
from service.db.urls import asyncpg_dsn
from tests.conftest import Api

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"

# Small enough to keep the suite fast, large enough for namesakes, busy investors, multi-hop
# investment paths and every consideration pattern the generator draws.
GENERATED_ORGS = 2000
GENERATED_SEED = 11


@pytest.fixture(scope="session")
async def generated_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database
    from service.ingest.progress import Progress

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(
        url, orgs=GENERATED_ORGS, seed=GENERATED_SEED, progress=Progress(enabled=False)
    )
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return url


@pytest.fixture(scope="session")
async def generated_api(generated_url: str) -> AsyncIterator[Api]:
    from service.app import create_app

    app = create_app(database_url=generated_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client)


@pytest.fixture(scope="session")
async def article_conn(migrated_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection for the independent computations over the article dataset."""
    conn = await asyncpg.connect(asyncpg_dsn(migrated_url))
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
async def generated_conn(generated_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(asyncpg_dsn(generated_url))
    yield conn
    await conn.close()


async def run_operation(
    api: Api, name: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Runs a named operation of graphql/operations/ and returns its data; errors fail."""
    body = await api.query((OPERATIONS / f"{name}.graphql").read_text(), variables, name)
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


async def query_data(api: Api, document: str, variables: dict[str, Any] | None = None) -> Any:
    body = await api.query(document, variables)
    assert "errors" not in body, body.get("errors")
    return body["data"]


async def query_error(api: Api, document: str, variables: dict[str, Any] | None = None) -> Any:
    """The single error of a refused query; asserts it is a user-input error, not a crash."""
    body = await api.query(document, variables)
    assert body.get("data") is None or all(v is None for v in body["data"].values()), body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error
