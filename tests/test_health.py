"""Health and readiness probes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from service.app import create_app
from service.db import migrate
from tests.conftest import Api


async def test_healthz(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_at_head(api: Api) -> None:
    response = await api.client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "revision": migrate.head_revision()}


async def test_readyz_before_migrations(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> None:
    url = await empty_database_factory()
    app = create_app(database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["status"] == "migrating"
            await asyncio.to_thread(migrate.upgrade, url)
            assert (await client.get("/readyz")).status_code == 200
