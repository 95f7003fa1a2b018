"""Two API server processes on one database of their own, as a deployment runs them."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from service.auth.keys import create_key
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.article import seed_article
from tests.dbutil import ROOT


@dataclass(frozen=True)
class Server:
    base: str
    process: subprocess.Popen[bytes]

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"


@dataclass(frozen=True)
class Keys:
    read: str
    write: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
async def sub_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture(scope="module")
async def keys(sub_url: str) -> Keys:
    conn = await asyncpg.connect(asyncpg_dsn(sub_url))
    try:
        _, read = await create_key(conn, "subscriber", Scope.READ)
        _, write = await create_key(conn, "writer", Scope.WRITE)
        return Keys(read=read, write=write)
    finally:
        await conn.close()


@pytest.fixture
async def conn(sub_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(sub_url))
    yield connection
    await connection.close()


async def wait_until_ready(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.base, timeout=2) as client:
        for _ in range(600):
            if server.process.poll() is not None:
                raise AssertionError(f"the server exited with {server.process.returncode}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not become ready")


def start(url: str, **settings: str) -> Server:
    """A server process on ``url``; ``settings`` are further ``STAKEGRAPH_*`` variables."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAKEGRAPH_")}
    env.update(
        STAKEGRAPH_DATABASE_URL=url,
        STAKEGRAPH_PUBLIC_READ="false",
        STAKEGRAPH_RATE_LIMIT="false",
        STAKEGRAPH_SUBSCRIPTIONS_PER_CONNECTION="3",
        STAKEGRAPH_SUBSCRIPTION_POLL_MS="100",
        # Only notifications (and the reconnection after a lost one) wake a subscriber here:
        # the safety re-read would hide a notification that never came.
        STAKEGRAPH_SUBSCRIPTION_IDLE_POLL_MS="3600000",
    )
    env.update({f"STAKEGRAPH_{name.upper()}": value for name, value in settings.items()})
    command = [
        sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    return Server(f"http://127.0.0.1:{port}", process)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
async def servers(sub_url: str) -> AsyncIterator[tuple[Server, Server]]:
    started = [start(sub_url), start(sub_url)]
    try:
        for server in started:
            await wait_until_ready(server)
        yield started[0], started[1]
    finally:
        for server in started:
            stop(server)
