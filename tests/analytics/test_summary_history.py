"""The organization summary as of a recorded time (migration 0032): after a random mix of
writes made at several times, the figures an as-of read finds equal the summary computed from
scratch over the as-of views at each of those times, on both read paths, in the fields, the
filters and the orderings; and the history's current rows are the summary itself."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from service.config import Settings
from service.db import migrate
from service.db.tables import organization_summary
from service.db.urls import asyncpg_dsn
from service.ingest.generator.model import GENERATED_AT
from tests.analytics.markets import generated_market
from tests.analytics.test_organization_summary import SummaryWriter

SEED = 29
GENERATED_ORGS = 200
STEPS = 36
CHECK_EVERY = 6
PAGE_SIZE = 40
COLUMNS = [c.name for c in organization_summary.c]
SELECTED = ", ".join(COLUMNS)

# The summary's own computation (0023) read through the as-of views: the function as stored,
# under another name, on the search path as-of reads use. Built from the stored definition, so
# that it is the computation the triggers run, whatever it becomes.
AS_OF_COMPUTE = "sg_test_summary_compute_as_of"


@pytest.fixture(scope="module")
async def history_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    return await generated_market(empty_database_factory, GENERATED_ORGS, SEED)


@pytest.fixture(scope="module")
async def conn(history_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(history_url))
    definition: str = await connection.fetchval(
        "SELECT pg_get_functiondef('sg_organization_summary_compute(bigint[])'::regprocedure)"
    )
    renamed, named = re.subn(
        r"FUNCTION public\.sg_organization_summary_compute\(",
        f"FUNCTION {AS_OF_COMPUTE}(",
        definition,
    )
    as_of, pathed = re.subn(
        r"SET search_path TO '?public'?", "SET search_path TO asof, public", renamed
    )
    assert (named, pathed) == (1, 1), definition[:400]
    await connection.execute(as_of)
    yield connection
    await connection.close()


@asynccontextmanager
async def _client(url: str, compiler: bool) -> AsyncIterator[httpx.AsyncClient]:
    from service.app import create_app

    app = create_app(Settings(compiler=compiler), database_url=url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


@pytest.fixture(scope="module")
async def clients(history_url: str) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with _client(history_url, True) as compiled, _client(history_url, False) as resolvers:
        yield {"compiled": compiled, "resolvers": resolvers}


async def _rows(conn: asyncpg.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(sql, *args)]


@asynccontextmanager
async def _as_of(conn: asyncpg.Connection, at: dt.datetime) -> AsyncIterator[None]:
    """A transaction reading as the as-of reads do."""
    async with conn.transaction():
        await conn.execute("SET LOCAL search_path = asof, public")
        await conn.execute("SELECT set_config('stakegraph.as_of', $1, true)", at.isoformat())
        yield


async def _kept_and_computed(
    conn: asyncpg.Connection, at: dt.datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The figures as-of reads find at ``at``, and those computed from the as-of views, of the
    organizations recorded and not retired then."""
    async with _as_of(conn, at):
        kept = await _rows(
            conn,
            f"SELECT {SELECTED} FROM organization_summary"
            " WHERE organization_id IN (SELECT id FROM organization) ORDER BY 1",
        )
        computed = await _rows(
            conn,
            f"SELECT {SELECTED} FROM {AS_OF_COMPUTE}(ARRAY(SELECT id FROM organization))"
            " ORDER BY 1",
        )
    return kept, computed


async def _assert_history_consistent(conn: asyncpg.Connection) -> None:
    """The current rows are the summary, and an organization's versions never overlap."""
    current = await _rows(
        conn,
        f"SELECT {SELECTED} FROM organization_summary_history"
        " WHERE valid_to = 'infinity' ORDER BY 1",
    )
    assert current == await _rows(conn, f"SELECT {SELECTED} FROM organization_summary ORDER BY 1")
    overlapping = await conn.fetchval(
        "SELECT count(*) FROM organization_summary_history a"
        " JOIN organization_summary_history b ON b.organization_id = a.organization_id"
        " AND b.ctid <> a.ctid AND a.valid_from < b.valid_to AND b.valid_from < a.valid_to"
    )
    assert overlapping == 0


PAGE = """
query($at: DateTime, $filter: OrganizationFilter, $order: [OrganizationOrder!], $first: Int) {
  startups(asOf: $at, filter: $filter, orderBy: $order, first: $first) {
    totalCount
    nodes { slug roundsCount unvaluedRoundsCount totalRaisedUsd { min max estimated }
            lastRound { id } lastRoundDate { date precision } investorsCount leadsCount
            exitsCount acquisitionsCount }
  }
}
"""


async def _both(clients: dict[str, httpx.AsyncClient], variables: dict[str, Any]) -> Any:
    """The answer, the same from both read paths (the compiled one serving it)."""
    answers = {}
    for path, client in clients.items():
        response = await client.post("/graphql", json={"query": PAGE, "variables": variables})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        answers[path] = (response.headers.get("x-stakegraph-executor"), body["data"])
    assert answers["compiled"][0] == "compiled"
    assert answers["compiled"][1] == answers["resolvers"][1]
    return answers["compiled"][1]["startups"]


# The page the API must return at a time, from the recomputed figures: startups recorded then
# with at least two rounds, by their rounds, most first, then by ID in the same direction.
EXPECTED_PAGE = f"""
SELECT o.slug, c.rounds_count, c.investors_count, c.raised_usd_min
FROM organization o JOIN {AS_OF_COMPUTE}(ARRAY(SELECT id FROM organization)) c
    ON c.organization_id = o.id
WHERE 'STARTUP' = ANY(o.kinds) AND c.rounds_count >= 2
ORDER BY c.rounds_count DESC, o.id DESC
"""


async def _assert_api_at(
    conn: asyncpg.Connection, clients: dict[str, httpx.AsyncClient], at: dt.datetime
) -> None:
    async with _as_of(conn, at):
        expected = await conn.fetch(EXPECTED_PAGE)
    page = await _both(
        clients,
        {
            "at": at.isoformat(),
            "filter": {"roundsCount": {"gte": 2}},
            "order": [{"field": "ROUNDS_COUNT", "direction": "DESC"}],
            "first": PAGE_SIZE,
        },
    )
    assert page["totalCount"] == len(expected) > 0
    got = [(n["slug"], n["roundsCount"], n["investorsCount"]) for n in page["nodes"]]
    assert got == [
        (r["slug"], r["rounds_count"], r["investors_count"]) for r in expected[:PAGE_SIZE]
    ]
    for node, row in zip(page["nodes"], expected, strict=False):
        total = node["totalRaisedUsd"]
        assert (total and Decimal(total["min"])) == row["raised_usd_min"], node


async def test_figures_as_of_each_time_equal_a_computation_over_the_as_of_views(
    conn: asyncpg.Connection, clients: dict[str, httpx.AsyncClient]
) -> None:
    await _assert_history_consistent(conn)
    # FX rates are not versioned (an as-of figure is the USD total computed then, at the
    # rates then known), so this mix leaves them alone: rounds, investments, components,
    # exits, acquisitions, moves, retirements and deletions.
    writer = SummaryWriter(conn, random.Random(SEED), fx=False)
    # The generator stamps its rows with one recorded time, before the load ran: as of then,
    # its organizations are shown, and so are their figures.
    times = [GENERATED_AT, await conn.fetchval("SELECT clock_timestamp()")]
    for step in range(1, STEPS + 1):
        await writer.step()
        if step % CHECK_EVERY == 0:
            times.append(await conn.fetchval("SELECT clock_timestamp()"))
    await _assert_history_consistent(conn)
    changed = await conn.fetchval(
        "SELECT count(*) FROM organization_summary_history WHERE valid_to < 'infinity'"
    )
    assert changed > 0
    seen = set()
    for at in times:
        kept, computed = await _kept_and_computed(conn, at)
        assert len(kept) == len(computed) >= GENERATED_ORGS
        differing = [(k, c) for k, c in zip(kept, computed, strict=True) if k != c]
        assert not differing, f"at {at}: {len(differing)} differ, e.g. {differing[:2]}"
        seen.add(tuple(tuple(r.values()) for r in kept))
        await _assert_api_at(conn, clients, at)
    # The times saw different figures: the test compares histories, not one state.
    assert len(seen) == len(times)


async def test_one_transactions_refreshes_make_one_version(conn: asyncpg.Connection) -> None:
    org = await conn.fetchval("SELECT id FROM organization ORDER BY id LIMIT 1")
    before = await conn.fetchval(
        "SELECT count(*) FROM organization_summary_history WHERE organization_id = $1", org
    )
    async with conn.transaction():
        for _ in range(3):
            await conn.execute(
                "INSERT INTO funding_round (organization_id, round_type, status) "
                "VALUES ($1, 'SEED', 'ANNOUNCED')",
                org,
            )
    versions = await _rows(
        conn,
        "SELECT valid_from, valid_to, rounds_count FROM organization_summary_history"
        " WHERE organization_id = $1 ORDER BY valid_from",
        org,
    )
    assert len(versions) == before + 1
    assert versions[-2]["valid_to"] == versions[-1]["valid_from"]
    assert versions[-1]["rounds_count"] == versions[-2]["rounds_count"] + 3
    await _assert_history_consistent(conn)


async def test_the_migration_starts_each_history_at_its_organizations_first_version(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> None:
    """A database written before 0032: each organization gets its figures then, valid from its
    first recorded version, so that as-of reads before the migration still find figures."""
    from service.ingest.article import seed_article

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url, "0031_investor_rollups")
    await seed_article(url)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # An organization changed after it was first recorded: its history starts at the first.
        await connection.execute(
            "UPDATE organization SET description = 'changed' WHERE slug = 'alibaba'"
        )
        first = await connection.fetchval(
            "SELECT min(h.recorded_at) FROM history.organization h"
            " JOIN organization o ON o.id = h.id WHERE o.slug = 'alibaba'"
        )
        await asyncio.to_thread(migrate.upgrade, url)
        started = await _rows(
            connection,
            "SELECT o.slug, h.valid_from, o.recorded_at FROM organization_summary_history h"
            " JOIN organization o ON o.id = h.organization_id",
        )
        assert len(started) == await connection.fetchval("SELECT count(*) FROM organization")
        by_slug = {row["slug"]: row for row in started}
        assert by_slug["alibaba"]["valid_from"] == first < by_slug["alibaba"]["recorded_at"]
        others = [r for slug, r in by_slug.items() if slug != "alibaba"]
        assert all(r["valid_from"] == r["recorded_at"] for r in others)
        await _assert_history_consistent(connection)
    finally:
        await connection.close()
