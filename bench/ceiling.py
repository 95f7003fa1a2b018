"""The ceiling: each benchmark operation as one hand-written SQL statement behind FastAPI.

No GraphQL at all: the endpoint reads the operation's arguments, runs its statement and returns
PostgreSQL's JSON untouched, so it measures what the database and the HTTP stack alone cost.
Run by the benchmark as ``uvicorn bench.ceiling:create_app --factory``.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request, Response

from bench.workload import OPERATIONS


async def _init(conn: asyncpg.Connection) -> None:
    await conn.execute("SET TIME ZONE 'UTC'")


def create_app() -> FastAPI:
    url = os.environ["BENCH_DATABASE_URL"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(url, min_size=1, max_size=10, init=_init)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/ceiling/{name}")
    async def run(name: str, request: Request) -> Response:
        arguments = json.loads(await request.body())["args"]
        async with request.app.state.pool.acquire() as conn:
            text = await conn.fetchval(OPERATIONS[name].ceiling_sql, *arguments)
        return Response(b'{"data":' + text.encode() + b"}", media_type="application/json")

    return app
