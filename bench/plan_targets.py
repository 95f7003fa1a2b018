"""The app on each read path, in process, with the statements its pool runs recorded: what the
plan audit (bench/plan_audit.py) and the plan guard (tests/plans/) send their shapes to."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from bench.plan_shapes import Shape
from service.app import create_app
from service.config import Settings


class RecordingPool:
    """The app's pool, recording each statement with its parameters while ``log`` is a list.

    The service's statement log keeps SQL text only (and switches the compiler off); asyncpg's
    query logger sees the arguments too. Loggers are dropped when a connection goes back to the
    pool, so one is attached on every acquire.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.log: list[tuple[str, tuple[Any, ...]]] | None = None

    def _record(self, record: Any) -> None:
        if self.log is not None:
            self.log.append((record.query, tuple(record.args or ())))

    @asynccontextmanager
    async def acquire(self, **kwargs: Any) -> AsyncIterator[Any]:
        async with self._pool.acquire(**kwargs) as conn:
            conn.add_query_logger(self._record)
            try:
                yield conn
            finally:
                conn.remove_query_logger(self._record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def is_read(sql: str) -> bool:
    """The statements worth explaining: the request's reads, not BEGIN, the transaction's
    set_config, or asyncpg's own look-ups of type codecs in pg_catalog."""
    head = sql.lstrip().upper()
    if not head.startswith(("SELECT", "WITH")) or head.startswith("SELECT SET_CONFIG("):
        return False
    return "PG_CATALOG." not in head


@dataclass
class Target:
    name: str
    app: FastAPI
    client: httpx.AsyncClient
    pool: RecordingPool


@asynccontextmanager
async def target(name: str, url: str, settings: Settings) -> AsyncIterator[Target]:
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        pool = RecordingPool(app.state.pool)
        app.state.pool = pool
        try:
            # A failing request (a statement timeout) is a 500 to report, not the end of the run.
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://audit", timeout=120
            ) as client:
                yield Target(name, app, client, pool)
        finally:
            # The lifespan closes the pool it created.
            app.state.pool = pool._pool


class RequestError(RuntimeError):
    pass


async def post(
    target: Target, document: str, variables: Mapping[str, Any]
) -> tuple[dict[str, Any], str | None, float]:
    started = time.perf_counter()
    response = await target.client.post(
        "/graphql", json={"query": document, "variables": dict(variables)}
    )
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RequestError(f"HTTP {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RequestError(json.dumps(body["errors"])[:500])
    if body.get("data") is None:
        raise RequestError("no data")
    return body["data"], response.headers.get("x-stakegraph-executor"), elapsed


async def shape_variables(target: Target, shape: Shape) -> dict[str, Any] | None:
    """The shape's variables, with its cursor from the middle of a real first page (None: the
    list is too short to have a middle)."""
    source = shape.cursor
    if source is None:
        return dict(shape.variables)
    data, _, _ = await post(target, source.document, source.variables)
    node: Any = data
    for key in source.path:
        node = node.get(key) if isinstance(node, dict) else None
    edges = node.get("edges", []) if isinstance(node, dict) else []
    if len(edges) < 2:
        return None
    return {**shape.variables, source.variable: edges[len(edges) // 2]["cursor"]}
