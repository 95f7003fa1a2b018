"""Fixtures for the guardrail tests: a database of their own, and apps with chosen settings."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.auth.keys import create_key
from service.config import Settings
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.article import seed_article
from tests.dbutil import ROOT


@pytest.fixture(scope="module")
async def guard_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """A database of this module's own at head with the article dataset."""
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """A data directory for a PostgreSQL a test starts itself: beside the test server's, where
    the embedded server's own user can reach it (pytest's temporary directories are private
    to root)."""
    path = ROOT / ".stakegraph-test" / f"own-{uuid.uuid4().hex[:10]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@asynccontextmanager
async def serving(url: str, **settings: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The real app on ``url`` with ``settings`` (by their names), over ASGI."""
    app = create_app(Settings.model_validate({"rate_limit": True, **settings}), database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def new_key(url: str, scope: Scope, name: str = "guard") -> tuple[int, str]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        info, key = await create_key(conn, name, scope)
        return info.id, key
    finally:
        await conn.close()


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}
