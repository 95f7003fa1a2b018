"""The organization summary kept on write equals a computation from scratch after any mix of
writes (rounds, investments, exits, acquisitions, FX rates, merges' moves), and agrees with an
independent computation from the kept USD values; its filters and orderings page through the
same organizations on both read paths; as of a recorded time it is the one then
(tests/analytics/test_summary_history.py checks that at length)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from service.db.tables import organization_summary
from service.db.urls import asyncpg_dsn
from tests.analytics.conftest import query_data
from tests.analytics.markets import generated_market, serving
from tests.analytics.test_values import Writer
from tests.conftest import Api

SEED = 5
GENERATED_ORGS = 300
COLUMNS = ", ".join(c.name for c in organization_summary.c)


@pytest.fixture(scope="module")
async def summary_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    return await generated_market(empty_database_factory, GENERATED_ORGS, SEED)


@pytest.fixture(scope="module")
async def conn(summary_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(summary_url))
    yield connection
    await connection.close()


@pytest.fixture(scope="module")
async def summary_api(summary_url: str) -> AsyncIterator[Api]:
    async with serving(summary_url) as api:
        yield api


class SummaryWriter(Writer):
    """The USD values' random writes, and those only the summary watches: exits, acquisitions,
    whole rounds moved to another organization (as a merge does), retired rounds."""

    async def exit_write(self) -> None:
        choice = self.rng.random()
        if choice < 0.5:
            inv = await self.pick("investment")
            await self.conn.execute(
                "INSERT INTO exit (investment_id, kind) VALUES ($1, 'SECONDARY')", inv
            )
        elif choice < 0.8:
            row = await self.pick("exit")
            await self.conn.execute(
                "UPDATE exit SET retired_at = CASE WHEN retired_at IS NULL THEN now() END"
                " WHERE id = $1",
                row,
            )
        else:
            row = await self.pick("exit")
            await self.conn.execute("DELETE FROM exit WHERE id = $1", row)

    async def acquisition_write(self) -> None:
        choice = self.rng.random()
        if choice < 0.5:
            acquirer, acquired = await self.pick("organization"), await self.pick("organization")
            await self.conn.execute(
                "INSERT INTO acquisition (acquirer_id, acquired_id, status) VALUES ($1, $2, $3)",
                acquirer,
                acquired,
                self.rng.choice(["ANNOUNCED", "COMPLETED", "CANCELLED"]),
            )
        elif choice < 0.8:
            row = await self.pick("acquisition")
            await self.conn.execute(
                "UPDATE acquisition SET status = $2, acquirer_id = $3 WHERE id = $1",
                row,
                self.rng.choice(["ANNOUNCED", "CANCELLED"]),
                await self.pick("organization"),
            )
        else:
            row = await self.pick("acquisition")
            await self.conn.execute(
                "UPDATE acquisition SET retired_at = CASE WHEN retired_at IS NULL THEN now() END"
                " WHERE id = $1",
                row,
            )

    async def move_round(self) -> None:
        round_id, target = await self.pick("funding_round"), await self.pick("organization")
        await self.conn.execute(
            "UPDATE funding_round SET organization_id = $2 WHERE id = $1", round_id, target
        )

    async def step(self) -> None:
        async with self.conn.transaction():
            for _ in range(self.rng.randrange(1, 4)):
                write = self.rng.choice(
                    [self.exit_write, self.acquisition_write, self.move_round, super().step]
                )
                try:
                    async with self.conn.transaction():
                        await write()
                except (asyncpg.IntegrityConstraintViolationError, asyncpg.CheckViolationError):
                    pass


async def _rows(conn: asyncpg.Connection, sql: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(sql)]


# The same figures from the kept USD values (migration 0011), written independently of
# sg_organization_summary_compute: a disagreement is a mistake in one of them.
INDEPENDENT = """
SELECT o.id AS organization_id,
       (SELECT count(*) FROM usd_round v JOIN funding_round r ON r.id = v.round_id
        WHERE r.organization_id = o.id AND v.live) AS rounds_count,
       (SELECT count(*) FROM usd_round v JOIN funding_round r ON r.id = v.round_id
        WHERE r.organization_id = o.id AND v.live AND v.raised_usd IS NULL)
           AS unvalued_rounds_count,
       (SELECT sum(v.raised_usd) FROM usd_round v JOIN funding_round r ON r.id = v.round_id
        WHERE r.organization_id = o.id AND v.live) AS raised_usd_min,
       (SELECT count(DISTINCT v.investor_id) + count(DISTINCT i.investor_person_id)
        FROM usd_investment v JOIN investment i ON i.id = v.investment_id
        JOIN funding_round r ON r.id = v.round_id WHERE r.organization_id = o.id AND v.live)
           AS investors_count,
       (SELECT count(DISTINCT v.investor_id) + count(DISTINCT i.investor_person_id)
        FROM usd_investment v JOIN investment i ON i.id = v.investment_id
        JOIN funding_round r ON r.id = v.round_id
        WHERE r.organization_id = o.id AND v.live AND v.is_lead) AS leads_count,
       (SELECT count(*) FROM exit e JOIN usd_investment v ON v.investment_id = e.investment_id
        JOIN funding_round r ON r.id = v.round_id
        WHERE e.retired_at IS NULL AND v.live
          AND (v.investor_id = o.id OR r.organization_id = o.id)) AS exits_count,
       (SELECT max(r.sort_on) FROM funding_round r
        WHERE r.organization_id = o.id AND r.retired_at IS NULL) AS last_round_sort
FROM organization o ORDER BY o.id
"""


async def _assert_kept_equal_computed(conn: asyncpg.Connection) -> None:
    kept = await _rows(conn, f"SELECT {COLUMNS} FROM organization_summary ORDER BY 1")
    computed = await _rows(
        conn,
        f"SELECT {COLUMNS} FROM sg_organization_summary_compute("
        "ARRAY(SELECT id FROM organization)) ORDER BY 1",
    )
    assert len(kept) == len(computed) > GENERATED_ORGS
    differing = [(k, c) for k, c in zip(kept, computed, strict=True) if k != c]
    assert not differing, f"{len(differing)} summaries differ from a recomputation: {differing[:2]}"
    independent = await _rows(conn, INDEPENDENT)
    for k, i in zip(kept, independent, strict=True):
        assert k["organization_id"] == i["organization_id"]
        for name in ("rounds_count", "unvalued_rounds_count", "raised_usd_min"):
            assert k[name] == i[name], (name, k, i)
        for name in ("investors_count", "leads_count", "exits_count"):
            assert k[name] == i[name], (name, k, i)
        assert k["last_round_sort"] == (i["last_round_sort"] or dt.date(1, 1, 1)), (k, i)
        assert k["raised_usd_max"] == k["raised_usd_min"]


async def test_kept_summary_equals_a_recomputation_after_random_writes(
    conn: asyncpg.Connection,
) -> None:
    await _assert_kept_equal_computed(conn)
    figures = await conn.fetchrow(
        "SELECT sum(rounds_count) AS rounds, sum(investors_count) AS investors,"
        " sum(exits_count) AS exits, sum(acquisitions_count) AS acquisitions,"
        " count(raised_usd_min) AS valued FROM organization_summary"
    )
    assert figures is not None
    assert all(figures[k] > 0 for k in ("rounds", "investors", "exits", "valued")), figures
    writer = SummaryWriter(conn, random.Random(SEED), fx=True)
    for _batch in range(5):
        for _ in range(25):
            await writer.step()
        await _assert_kept_equal_computed(conn)
    assert await conn.fetchval("SELECT sum(acquisitions_count) FROM organization_summary") > 0


PAGE = """
query($filter: OrganizationFilter, $order: [OrganizationOrder!], $after: String) {
  startups(filter: $filter, orderBy: $order, first: 7, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { slug totalRaisedUsd { min max estimated } lastRoundDate { date precision }
            roundsCount investorsCount leadsCount exitsCount acquisitionsCount }
  }
}
"""


async def _all_pages(api: Api, variables: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        data = await query_data(api, PAGE, {**variables, "after": after})
        page = data["startups"]
        out.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], out
        after = page["pageInfo"]["endCursor"]


async def test_filters_and_orderings_page_through_the_expected_organizations(
    conn: asyncpg.Connection, summary_api: Api
) -> None:
    threshold = await conn.fetchval(
        "SELECT percentile_disc(0.8) WITHIN GROUP (ORDER BY raised_usd_min)"
        " FROM organization_summary WHERE raised_usd_min IS NOT NULL"
    )
    expected = await conn.fetch(
        "SELECT o.slug FROM live.organization o JOIN organization_summary s"
        " ON s.organization_id = o.id"
        " WHERE 'STARTUP' = ANY(o.kinds) AND s.raised_usd_min >= $1 AND s.investors_count >= 1"
        " ORDER BY s.last_round_sort DESC, o.id DESC",
        threshold,
    )
    assert 7 < len(expected) < GENERATED_ORGS
    variables = {
        "filter": {"totalRaisedUsd": {"gte": str(threshold)}, "investorsCount": {"gte": 1}},
        "order": [{"field": "LAST_ROUND_DATE", "direction": "DESC"}],
    }
    total, nodes = await _all_pages(summary_api, variables)
    assert total == len(expected)
    assert [n["slug"] for n in nodes] == [r["slug"] for r in expected]
    assert all(Decimal(n["totalRaisedUsd"]["min"]) >= threshold for n in nodes)

    # Every ordering in both directions: no total / no round sorts lowest.
    for field, key in (
        ("TOTAL_RAISED", "coalesce(s.raised_usd_min, -1)"),
        ("LAST_ROUND_DATE", "s.last_round_sort"),
        ("ROUNDS_COUNT", "s.rounds_count"),
        ("INVESTORS_COUNT", "s.investors_count"),
    ):
        for direction in ("ASC", "DESC"):
            expected = await conn.fetch(
                "SELECT o.slug FROM live.organization o JOIN organization_summary s"
                " ON s.organization_id = o.id WHERE 'STARTUP' = ANY(o.kinds)"
                " AND s.rounds_count BETWEEN 2 AND 3"
                f" ORDER BY {key} {direction}, o.id {direction}"
            )
            variables = {
                "filter": {"roundsCount": {"gte": 2, "lte": 3}},
                "order": [{"field": field, "direction": direction}],
            }
            total, nodes = await _all_pages(summary_api, variables)
            assert [n["slug"] for n in nodes] == [r["slug"] for r in expected], field
            assert total == len(expected) > 7


async def test_bad_bounds_are_user_errors(summary_api: Api) -> None:
    for bound in ({"totalRaisedUsd": {"gte": "lots"}}, {"totalRaisedUsd": {"lte": "-5"}},
                  {"exitsCount": {"gte": -1}}):  # fmt: skip
        body = await summary_api.query(PAGE, {"filter": bound})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


FIGURES = """
query($asOf: DateTime, $slug: String!) {
  organization(slug: $slug, asOf: $asOf) {
    roundsCount totalRaisedUsd { min max estimated } lastRound { id }
    fundingRounds(first: 100) { totalCount }
  }
}
"""


async def test_as_of_a_recorded_time_the_figures_are_those_then(
    conn: asyncpg.Connection, summary_api: Api
) -> None:
    slug = await conn.fetchval(
        "SELECT o.slug FROM organization o JOIN organization_summary s"
        " ON s.organization_id = o.id ORDER BY s.rounds_count DESC, o.id LIMIT 1"
    )
    variables = {"asOf": None, "slug": slug}
    then = (await query_data(summary_api, FIGURES, variables))["organization"]
    assert then["roundsCount"] == then["fundingRounds"]["totalCount"] > 1
    recorded: dt.datetime = await conn.fetchval("SELECT clock_timestamp()")
    await asyncio.sleep(0.01)
    await conn.execute(
        "UPDATE funding_round SET retired_at = now() WHERE id = ("
        " SELECT r.id FROM funding_round r JOIN organization o ON o.id = r.organization_id"
        " WHERE o.slug = $1 AND r.retired_at IS NULL ORDER BY r.sort_on DESC, r.id DESC"
        " LIMIT 1)",
        slug,
    )
    now = (await query_data(summary_api, FIGURES, variables))["organization"]
    assert now["roundsCount"] == then["roundsCount"] - 1
    assert now["lastRound"] != then["lastRound"]
    past = {**variables, "asOf": recorded.isoformat()}
    as_of = (await query_data(summary_api, FIGURES, past))["organization"]
    assert as_of == then
