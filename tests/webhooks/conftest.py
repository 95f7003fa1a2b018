"""Fixtures for the webhook tests: a database of their own, the app (its deliverer off, so that
each test starts deliverers when it wants them), keys, and HTTP receivers on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import asyncpg
import pytest

from service.auth.keys import create_key
from service.config import Settings
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.article import seed_article
from tests.writes.conftest import Client, make_client

# Small delays, so that retries and dead letters take moments; loopback allowed for receivers.
FAST: dict[str, Any] = {
    "webhook_deliverer": "off",
    "webhook_allowed_hosts": "127.0.0.1",
    "webhook_max_attempts": 5,
    "webhook_base_delay_ms": 20,
    "webhook_max_delay_ms": 100,
    "webhook_timeout_ms": 3_000,
    "webhook_lease_ms": 5_000,
    "webhook_poll_ms": 20,
}
WAIT_S = 30.0


def settings(**overrides: Any) -> Settings:
    return Settings.model_validate({**FAST, **overrides})


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every request; answers the statuses queued in
    ``script`` first, then ``status``."""

    url: str = ""
    status: int = 200
    script: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            return self.script.pop(0) if self.script else self.status

    def record(self, received: Received) -> None:
        with self.lock:
            self.requests.append(received)

    def seen(self) -> list[Received]:
        with self.lock:
            return list(self.requests)


def _server(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            status = receiver.answer()
            receiver.record(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    server = _server(made)
    made.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield made
    finally:
        server.shutdown()
        server.server_close()


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Waits for ``check`` to hold (deliveries happen in the background)."""
    deadline = time.monotonic() + WAIT_S
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        await asyncio.sleep(0.02)


@pytest.fixture(scope="module")
async def hook_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


@pytest.fixture(scope="module")
async def client(hook_url: str) -> AsyncIterator[Client]:
    async for made in make_client(hook_url, settings()):
        yield made


@pytest.fixture(scope="module")
async def keys(hook_url: str) -> dict[str, str]:
    connection = await asyncpg.connect(asyncpg_dsn(hook_url))
    try:
        made = {}
        for scope in Scope:
            _, made[scope.value] = await create_key(connection, f"hooks {scope}", scope)
        return made
    finally:
        await connection.close()


@pytest.fixture
async def conn(hook_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection; the endpoints a test registered are deleted after it."""
    connection = await asyncpg.connect(asyncpg_dsn(hook_url))
    try:
        yield connection
    finally:
        await connection.execute("DELETE FROM webhook_endpoint")
        await connection.close()
