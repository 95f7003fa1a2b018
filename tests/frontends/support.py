"""The app over ASGI with chosen settings, for tests that look at HTTP headers and statuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from service.app import create_app
from service.config import Settings

MOONSHOT = '{ organization(slug: "moonshot-ai") { name } }'


@asynccontextmanager
async def served(
    database_url: str, **settings: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    # Passed by name from a mapping: settings ignore keys they do not know.
    app = create_app(Settings.model_validate(settings), database_url=database_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield app, c


@asynccontextmanager
async def client(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with served(database_url, **settings) as (_, c):
        yield c
