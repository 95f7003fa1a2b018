"""One generated database per test run for the plan guard, with the app on both read paths."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from bench.plan_explain import table_rows
from bench.plan_samples import collect_samples
from bench.plan_shapes import Shape, enumerate_shapes
from bench.plan_targets import Target, post, target
from service.compiler.fields import TYPES
from service.compiler.plan import Compiler
from service.config import Settings
from service.db import migrate
from service.db.pool import LIVE_SEARCH_PATH
from service.db.urls import asyncpg_dsn
from service.schema import build_schema

# A few thousand organizations: enough rows that a scan of a whole table reads far more than
# any page needs, few enough to generate in seconds.
GUARD_ORGS = 2_000
GUARD_SEED = 5


@dataclass
class PlanRun:
    """What the guard's tests share: the app on both paths, the compiler, a connection to
    explain on, the table sizes, and the shapes by connection."""

    targets: dict[str, Target]
    compiler: Compiler
    conn: asyncpg.Connection
    sizes: Mapping[str, float]
    shapes: dict[str, list[Shape]]
    statement_timeout_ms: int


@pytest.fixture(scope="session")
async def plan_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(url, orgs=GUARD_ORGS, seed=GUARD_SEED)
    return url


@pytest.fixture(scope="session")
async def plan_run(plan_url: str) -> AsyncIterator[PlanRun]:
    settings = Settings.model_validate({"compiler": True})
    strawberry_schema = build_schema(settings)
    conn = await asyncpg.connect(
        asyncpg_dsn(plan_url),
        server_settings={"search_path": LIVE_SEARCH_PATH, "TimeZone": "UTC"},
    )
    try:
        await conn.execute("ANALYZE")
        async with (
            target("compiled", plan_url, settings) as compiled,
            target("resolvers", plan_url, Settings.model_validate({"compiler": False})) as res,
        ):

            async def gql(document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
                data, _, _ = await post(compiled, document, variables)
                return data

            samples = await collect_samples(conn, gql, strawberry_schema._schema)
            known = {name: set(spec.fields) for name, spec in TYPES.items()}
            enumeration = enumerate_shapes(strawberry_schema._schema, samples, known_fields=known)
            by_connection: dict[str, list[Shape]] = {}
            for shape in enumeration.shapes:
                by_connection.setdefault(shape.connection, []).append(shape)
            yield PlanRun(
                {"compiled": compiled, "resolvers": res},
                Compiler(strawberry_schema, settings),
                conn,
                await table_rows(conn),
                by_connection,
                settings.statement_timeout_ms,
            )
    finally:
        await conn.close()
