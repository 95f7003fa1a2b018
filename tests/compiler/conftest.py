"""Two apps on one database, the compiler on and off, and a generated dataset beside the article."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from service.db import migrate

GENERATED_ORGS = 1500
GENERATED_SEED = 7


@dataclass(frozen=True)
class Answer:
    status: int
    executor: str | None
    body: Any  # parsed with every object as a list of pairs, so key order is compared too
    text: str

    @property
    def data(self) -> Any:
        return json.loads(self.text)["data"]

    @property
    def data_or_errors(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed


def _ordered(text: str) -> Any:
    return json.loads(text, object_pairs_hook=list)


@dataclass(frozen=True)
class Pair:
    """The same request through the compiler (when it takes it) and through the resolvers."""

    compiled: httpx.AsyncClient
    resolvers: httpx.AsyncClient

    async def ask(
        self,
        client: httpx.AsyncClient,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Answer:
        payload: dict[str, Any] = {"query": query, "variables": variables}
        if operation_name is not None:
            payload["operationName"] = operation_name
        response = await client.post("/graphql", json=payload)
        return Answer(
            response.status_code,
            response.headers.get("x-stakegraph-executor"),
            _ordered(response.text),
            response.text,
        )

    async def both(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        executor: str | None = "compiled",
    ) -> Answer:
        """Asserts both paths answer alike (and which path served) and returns the answer."""
        compiled = await self.ask(self.compiled, query, variables, operation_name)
        reference = await self.ask(self.resolvers, query, variables, operation_name)
        # A request the gateway refuses reaches neither executor, on either app.
        assert reference.executor == ("none" if executor == "none" else "resolvers")
        assert (compiled.status, compiled.body) == (reference.status, reference.body), (
            f"\ncompiled:  {compiled.text[:3000]}\nresolvers: {reference.text[:3000]}"
        )
        if executor is not None:
            assert compiled.executor == executor, compiled.text[:500]
        return compiled


async def _pair(url: str) -> AsyncIterator[Pair]:
    apps = [
        create_app(Settings(compiler=True), database_url=url),
        create_app(Settings(compiler=False), database_url=url),
    ]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        for app in apps
    ]
    async with (
        apps[0].router.lifespan_context(apps[0]),
        apps[1].router.lifespan_context(apps[1]),
        clients[0],
        clients[1],
    ):
        yield Pair(clients[0], clients[1])


@pytest.fixture(scope="session")
async def article_pair(migrated_url: str) -> AsyncIterator[Pair]:
    async for pair in _pair(migrated_url):
        yield pair


@pytest.fixture(scope="session")
async def generated_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """The article dataset plus a generated market of 1,500 organizations."""
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(url, orgs=GENERATED_ORGS, seed=GENERATED_SEED)
    return url


@pytest.fixture(scope="session")
async def generated_pair(generated_url: str) -> AsyncIterator[Pair]:
    async for pair in _pair(generated_url):
        yield pair


@pytest.fixture(params=["article", "generated"])
def pair(request: pytest.FixtureRequest) -> Pair:
    """Each test that takes it runs on both datasets."""
    found: Pair = request.getfixturevalue(f"{request.param}_pair")
    return found
