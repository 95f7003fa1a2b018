"""Fixtures for the GraphQL API tests: one app on the article dataset for the whole session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from tests.api.support import Gql


@pytest.fixture(scope="session")
async def app(migrated_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(database_url=migrated_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture(scope="session")
def gql(client: httpx.AsyncClient) -> Gql:
    async def run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        # GraphQL errors are answered with 200; anything else is a transport-level failure
        # the tests should see, not a body to parse.
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def statement_log(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement the requests of one test run, in order."""
    log: list[str] = []
    app.state.statement_log = log
    yield log
    app.state.statement_log = None
