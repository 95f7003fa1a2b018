"""Faults (issue 15, item 5): a database that goes away and comes back, and a full pool."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.db import migrate
from service.db.embedded import ensure_embedded, pause_server, resume_server, stop_server
from tests.guardrails.conftest import serving

QUERY = "{ organizations(first: 3) { nodes { slug } } }"
# Served by the resolvers whatever the compiler's setting: `node` is not compiled.
RESOLVED = '{ organization(slug: "openai") { slug parent { slug } } }'
# Each request must be answered within this, database or not (the request deadline).
DEADLINE_S = 3.0
RECOVERY_S = 5.0


@pytest.fixture
async def own_server(server_dir: Path) -> AsyncIterator[tuple[Path, str]]:
    """A PostgreSQL of this test's own, started with the embedded server's machinery."""
    server = await asyncio.to_thread(ensure_embedded, server_dir)
    await asyncio.to_thread(migrate.upgrade, server.url)
    yield server.pgdata, server.url
    await asyncio.to_thread(stop_server, server.pgdata)


async def _post(client: httpx.AsyncClient, query: str) -> httpx.Response:
    # A request that hangs fails the test here rather than hanging it.
    async with asyncio.timeout(DEADLINE_S + 1):
        return await client.post("/graphql", json={"query": query})


async def test_an_outage_is_a_fast_503_and_the_service_recovers_alone(
    own_server: tuple[Path, str],
) -> None:
    pgdata, url = own_server
    async with serving(url, request_deadline_ms=int(DEADLINE_S * 1000), pool_min_size=2) as (
        _,
        client,
    ):
        for query in (QUERY, RESOLVED):
            assert (await _post(client, query)).status_code == 200
        assert (await client.get("/readyz")).status_code == 200

        await asyncio.to_thread(pause_server, pgdata)
        for query in (QUERY, RESOLVED, QUERY):
            response = await _post(client, query)
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            (error,) = response.json()["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        async with asyncio.timeout(DEADLINE_S):
            ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["retry-after"] == "1"
        assert ready.json() == {"status": "unavailable", "reason": "the database does not answer"}

        await asyncio.to_thread(resume_server, pgdata)
        back = time.monotonic()
        answered = None
        while time.monotonic() - back < RECOVERY_S:
            response = await _post(client, QUERY)
            if response.status_code == 200:
                answered = response
                break
            assert response.status_code == 503
            await asyncio.sleep(0.1)
        assert answered is not None, "no answer within 5 s of the database coming back"
        assert (await _post(client, RESOLVED)).status_code == 200
        assert (await client.get("/readyz")).status_code == 200


async def test_a_full_pool_answers_503_at_once(own_server: tuple[Path, str]) -> None:
    _, url = own_server
    async with serving(url, pool_min_size=1, pool_max_size=1, pool_max_waiting=0) as (
        app,
        client,
    ):
        async with app.state.pool.acquire():
            response = await _post(client, QUERY)
            ready = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert ready.status_code == 503
        assert "busy" in ready.json()["reason"]
        assert (await _post(client, QUERY)).status_code == 200


async def test_a_pool_that_stays_full_answers_503_at_the_acquire_timeout(
    own_server: tuple[Path, str],
) -> None:
    _, url = own_server
    async with serving(url, pool_min_size=1, pool_max_size=1, pool_acquire_timeout_ms=200) as (
        app,
        client,
    ):
        async with app.state.pool.acquire():
            response = await _post(client, QUERY)
        assert response.status_code == 503
        assert (await _post(client, QUERY)).status_code == 200
