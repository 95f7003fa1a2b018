"""Fixtures for the REST tests: the app on the article dataset, and a way to run a route's
GraphQL twin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.rest.operations import REST_DIR


@pytest.fixture(scope="session")
async def rest_app(migrated_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(database_url=migrated_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def http(rest_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=rest_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def twin(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The same operation posted to /graphql, as a GraphQL client would."""
    document = (REST_DIR / f"{name.removeprefix('Rest')}.graphql").read_text(encoding="utf-8")
    response = await client.post(
        "/graphql",
        json={"query": document, "operationName": name, "variables": variables},
        headers=headers or {},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
