"""The USD values and their rollups kept on write equal a computation from scratch after any
mix of writes, the aggregates the rollups answer equal those of the rows, and every analytic
read as of a recorded time equals what it answered at that time."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from service.analytics.values import month_source, value_sources
from service.db.tables import (
    usd_cell,
    usd_cell_month,
    usd_component,
    usd_investment,
    usd_investor_group,
    usd_investor_group_count,
    usd_investor_total,
    usd_investor_year,
    usd_month,
    usd_round,
    usd_round_block,
)
from service.db.urls import asyncpg_dsn
from tests.analytics.conftest import query_data
from tests.analytics.markets import generated_market, serving
from tests.analytics.rollup_checks import assert_rollup_equals_rows
from tests.conftest import Api

SEED = 3
GENERATED_ORGS = 300


@pytest.fixture(scope="module")
async def market_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    return await generated_market(empty_database_factory, GENERATED_ORGS, SEED)


@pytest.fixture(scope="module")
async def conn(market_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(market_url))
    yield connection
    await connection.close()


@pytest.fixture(scope="module")
async def market_api(market_url: str) -> AsyncIterator[Api]:
    async with serving(market_url) as api:
        yield api


async def _ids(conn: asyncpg.Connection, table: str, where: str = "true") -> list[int]:
    return [r[0] for r in await conn.fetch(f"SELECT id FROM public.{table} WHERE {where}")]


class Writer:
    """Random writes straight to the tables, as any writer (API, import, loader) makes them."""

    def __init__(self, conn: asyncpg.Connection, rng: random.Random, fx: bool) -> None:
        self.conn = conn
        self.rng = rng
        self.fx = fx

    async def pick(self, table: str, where: str = "true") -> int | None:
        ids = await _ids(self.conn, table, where)
        return self.rng.choice(ids) if ids else None

    def amount(self) -> Decimal | None:
        return None if self.rng.random() < 0.15 else Decimal(self.rng.randrange(1, 10**6)) * 1000

    async def currency(self) -> str:
        # Mostly currencies with rates; sometimes one without any (its amounts are unvalued).
        codes: list[str] = [
            r[0] for r in await self.conn.fetch("SELECT DISTINCT currency FROM fx_rate")
        ]
        others: list[str] = [r[0] for r in await self.conn.fetch("SELECT code FROM currency")]
        return self.rng.choice(codes if self.rng.random() < 0.9 else others)

    async def investment_amount(self) -> None:
        inv = await self.pick("investment")
        amount = self.amount()
        currency = await self.currency() if amount is not None else None
        await self.conn.execute(
            "UPDATE investment SET committed_amount = $2, committed_currency = $3 WHERE id = $1",
            inv,
            amount,
            currency,
        )

    async def round_amount(self) -> None:
        r = await self.pick("funding_round")
        amount = self.amount()
        currency = await self.currency() if amount is not None else None
        await self.conn.execute(
            "UPDATE funding_round SET raised_amount = $2, raised_currency = $3,"
            " raised_estimated = $4 WHERE id = $1",
            r,
            amount,
            currency,
            self.rng.random() < 0.3,
        )

    async def round_date(self) -> None:
        r = await self.pick("funding_round")
        choice = self.rng.random()
        if choice < 0.15:
            on, precision = None, None
        else:
            year = self.rng.randrange(2015, 2026)
            precision = self.rng.choice(["DAY", "MONTH", "QUARTER", "YEAR"])
            month = {"DAY": self.rng.randrange(1, 13), "MONTH": self.rng.randrange(1, 13)}.get(
                precision, 1
            )
            if precision == "QUARTER":
                month = self.rng.choice([1, 4, 7, 10])
            day = self.rng.randrange(1, 29) if precision == "DAY" else 1
            on = dt.date(year, month, day)
        await self.conn.execute(
            "UPDATE funding_round SET announced_on = $2, announced_precision = $3 WHERE id = $1",
            r,
            on,
            precision,
        )

    async def share(self) -> None:
        c = await self.pick("consideration_component")
        low = Decimal(self.rng.randrange(0, 80)) / 100
        high = low + Decimal(self.rng.randrange(0, 20)) / 100
        await self.conn.execute(
            "UPDATE consideration_component SET share_min = $2, share_max = $3,"
            " value_amount = NULL, value_currency = NULL, estimated = $4 WHERE id = $1",
            c,
            low,
            high,
            self.rng.random() < 0.5,
        )

    async def component_value(self) -> None:
        c = await self.pick("consideration_component")
        amount = self.amount()
        currency = await self.currency() if amount is not None else None
        await self.conn.execute(
            "UPDATE consideration_component SET value_amount = $2, value_currency = $3,"
            " kind = $4 WHERE id = $1",
            c,
            amount,
            currency,
            self.rng.choice(["CASH", "CLOUD_CREDITS", "TRAFFIC_PROMOTION", "SERVICES", "OTHER"]),
        )

    async def retire(self) -> None:
        table = self.rng.choice(["funding_round", "investment", "consideration_component"])
        row = await self.pick(table)
        await self.conn.execute(
            f"UPDATE {table} SET retired_at = CASE WHEN retired_at IS NULL THEN now() END"
            " WHERE id = $1",
            row,
        )

    async def delete(self) -> None:
        table = self.rng.choice(["investment", "consideration_component"])
        row = await self.pick(table)
        await self.conn.execute(f"DELETE FROM {table} WHERE id = $1", row)

    async def move(self) -> None:
        inv = await self.pick("investment")
        target = await self.pick("funding_round")
        column = self.rng.choice(["round_id", "investor_id"])
        if column == "investor_id":
            target = await self.pick("organization")
        await self.conn.execute(f"UPDATE investment SET {column} = $2 WHERE id = $1", inv, target)

    async def insert(self) -> None:
        org = await self.pick("organization")
        investor = await self.pick("organization")
        amount = self.amount()
        currency = await self.currency() if amount is not None else None
        round_id = await self.conn.fetchval(
            "INSERT INTO funding_round (organization_id, round_type, status, announced_on,"
            " announced_precision, raised_amount, raised_currency)"
            " VALUES ($1, 'SEED', 'ANNOUNCED', $2, 'DAY', $3, $4) RETURNING id",
            org,
            dt.date(self.rng.randrange(2016, 2026), self.rng.randrange(1, 13), 3),
            amount,
            currency,
        )
        inv = await self.conn.fetchval(
            "INSERT INTO investment (round_id, investor_id, is_lead, committed_amount,"
            " committed_currency) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            round_id,
            investor,
            self.rng.random() < 0.5,
            amount,
            currency,
        )
        await self.conn.execute(
            "INSERT INTO consideration_component (investment_id, position, kind, share_min,"
            " share_max) VALUES ($1, 0, 'CASH', 0.5, 0.6), ($1, 1, 'CLOUD_CREDITS', 0.4, 0.5)",
            inv,
        )

    async def organization(self) -> None:
        """A country changed, or an organization retired or restored: its rounds change block."""
        org = await self.pick("organization")
        if self.rng.random() < 0.6:
            country = self.rng.choice(["CN", "US", "FR", None])
            await self.conn.execute(
                "UPDATE organization SET country = $2 WHERE id = $1", org, country
            )
        else:
            # Not an investor: a league table or an aggregate names its live investors.
            org = await self.pick(
                "organization", "id NOT IN (SELECT investor_id FROM public.investment)"
            )
            await self.conn.execute(
                "UPDATE organization SET retired_at = CASE WHEN retired_at IS NULL THEN now() END"
                " WHERE id = $1",
                org,
            )

    async def fx_rate(self) -> None:
        currency = await self.currency()
        choice = self.rng.random()
        on = dt.date(self.rng.randrange(2014, 2026), self.rng.randrange(1, 13), 1)
        rate = Decimal(self.rng.randrange(1, 2000)) / 1000
        if choice < 0.4:
            await self.conn.execute(
                "INSERT INTO fx_rate (currency, rate_on, usd_per_unit, source)"
                " VALUES ($1, $2, $3, 'test') ON CONFLICT (currency, rate_on)"
                " DO UPDATE SET usd_per_unit = excluded.usd_per_unit",
                currency,
                on,
                rate,
            )
        elif choice < 0.8:
            await self.conn.execute(
                "UPDATE fx_rate SET usd_per_unit = $2 WHERE (currency, rate_on) IN"
                " (SELECT currency, rate_on FROM fx_rate WHERE currency = $1"
                "  ORDER BY random() LIMIT 1)",
                currency,
                rate,
            )
        else:
            await self.conn.execute(
                "DELETE FROM fx_rate WHERE (currency, rate_on) IN"
                " (SELECT currency, rate_on FROM fx_rate WHERE currency = $1 AND currency <> 'USD'"
                "  ORDER BY random() LIMIT 1)",
                currency,
            )

    async def step(self) -> None:
        writes = [
            self.investment_amount,
            self.round_amount,
            self.round_date,
            self.share,
            self.component_value,
            self.retire,
            self.delete,
            self.move,
            self.insert,
            self.organization,
        ]
        if self.fx:
            writes.append(self.fx_rate)
        # Several writes in one transaction, as a mutation or an import makes them; a write a
        # constraint refuses (a duplicate investor in a round, a row still referred to) is
        # rolled back alone.
        async with self.conn.transaction():
            for _ in range(self.rng.randrange(1, 4)):
                try:
                    async with self.conn.transaction():
                        await self.rng.choice(writes)()
                except (asyncpg.IntegrityConstraintViolationError, asyncpg.CheckViolationError):
                    pass


async def _rows(conn: asyncpg.Connection, sql: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(sql)]


async def _assert_kept_equal_computed(conn: asyncpg.Connection) -> None:
    computed_sql = f"WITH {value_sources(False)}, {month_source(False)} "
    async with conn.transaction():
        await conn.execute("SET LOCAL search_path = live, public")
        for table, cte, key in (
            (usd_round, "v_round", "round_id"),
            (usd_investment, "v_investment", "investment_id"),
            (usd_component, "v_component", "component_id"),
            (usd_month, "v_month", "month, precision"),
        ):
            columns = ", ".join(c.name for c in table.c)
            live = "true" if table is usd_month else "live"
            kept = await _rows(
                conn, f"SELECT {columns} FROM public.{table.name} WHERE {live} ORDER BY {key}"
            )
            computed = await _rows(
                conn, f"{computed_sql} SELECT {columns} FROM {cte} ORDER BY {key}"
            )
            assert kept == computed, f"{table.name} differs from a recomputation"
    # Every stored row has its values, live or retired, and no value outlives its row.
    for name, source, column in (
        ("funding_round", usd_round, "round_id"),
        ("investment", usd_investment, "investment_id"),
        ("consideration_component", usd_component, "component_id"),
    ):
        stored = await _ids(conn, name)
        values = [r[0] for r in await conn.fetch(f"SELECT {column} FROM public.{source.name}")]
        assert sorted(stored) == sorted(values), f"{source.name} rows differ from {name}"
    await _assert_rollups_equal_recomputed(conn)


async def _assert_rollups_equal_recomputed(conn: asyncpg.Connection) -> None:
    """The rollups kept statement by statement equal the rollups of every round at once."""
    tables = [
        (usd_round_block, "round_id"),
        *(
            (t, ", ".join(c.name for c in t.c))
            for t in (
                usd_cell,
                usd_cell_month,
                usd_investor_year,
                usd_investor_total,
                usd_investor_group,
                usd_investor_group_count,
            )
        ),
    ]
    kept = {
        t.name: await _rows(conn, f"SELECT * FROM public.{t.name} ORDER BY {key}")
        for t, key in tables
    }
    assert kept["usd_cell"], "the dataset has cells to compare"
    recomputed: dict[str, list[dict[str, Any]]] = {}
    transaction = conn.transaction()
    await transaction.start()
    try:
        for t, _key in tables:
            await conn.execute(f"DELETE FROM public.{t.name}")
        await conn.execute(
            "SELECT sg_usd_cells_refresh(ARRAY(SELECT id FROM public.funding_round))"
        )
        for t, key in tables:
            recomputed[t.name] = await _rows(conn, f"SELECT * FROM public.{t.name} ORDER BY {key}")
    finally:
        await transaction.rollback()
    for t, _key in tables:
        assert kept[t.name] == recomputed[t.name], f"{t.name} differs from a recomputation"


async def test_bulk_loads_leave_the_rollups_a_recomputation_would_make(
    conn: asyncpg.Connection,
) -> None:
    # The market was loaded by the import (the article) and the generator, both of which
    # defer the rollups to one refresh at their end (migration 0027).
    await _assert_rollups_equal_recomputed(conn)


async def test_kept_values_equal_a_recomputation_after_random_writes(
    conn: asyncpg.Connection,
) -> None:
    await _assert_kept_equal_computed(conn)
    assert await assert_rollup_equals_rows(conn) > 0
    writer = Writer(conn, random.Random(SEED), fx=True)
    for _batch in range(4):
        for _ in range(25):
            await writer.step()
        await _assert_kept_equal_computed(conn)
    # And what the rollups answer is what the rows answer, after all of it.
    assert await assert_rollup_equals_rows(conn) > 0


ANSWERS = """
query($asOf: DateTime) {
  fundingTimeSeries(interval: MONTH, asOf: $asOf) {
    undatedCount
    periods { start roundCount possibleRoundCount undisclosedCount
              raisedUsd { min max estimated } nonCashShare { min max } }
  }
  investorLeagueTables(interval: YEAR, rankBy: AMOUNT, first: 5, asOf: $asOf) {
    start investorCount
    entries { position investor { slug } deals leads committedUsd { min max } undisclosedCount }
  }
  byQuarterAndKind: fundingRoundsAggregate(
    groupBy: [QUARTER, CONSIDERATION_KIND], first: 100, asOf: $asOf
  ) {
    totalCount
    nodes { period { start precision } considerationKind count unvaluedCount
            amountUsd { min max estimated } smallestUsd largestUsd averageUsd { min max } }
  }
  byInvestorAndLead: investmentsAggregate(
    groupBy: [INVESTOR, LEAD], orderBy: AMOUNT, first: 100, asOf: $asOf
  ) {
    totalCount
    nodes { investor { slug } isLead count unvaluedCount amountUsd { min max estimated } }
  }
  byCountryAndType: fundingRoundsAggregate(
    groupBy: [COUNTRY, ROUND_TYPE], orderBy: COUNT, first: 100,
    filter: { announced: { gte: "2018-01-01" } }, asOf: $asOf
  ) {
    totalCount
    nodes { country roundType count amountUsd { min max } }
  }
}
"""


async def test_as_of_answers_equal_what_was_answered_then(
    conn: asyncpg.Connection, market_api: Api
) -> None:
    # FX rates are reference data without recorded time: as-of reads use today's, so the
    # writes after the snapshot leave them alone.
    writer = Writer(conn, random.Random(SEED + 1), fx=False)
    for _ in range(20):
        await writer.step()
    then: dt.datetime = await conn.fetchval("SELECT clock_timestamp()")
    answered_then = await query_data(market_api, ANSWERS, {"asOf": None})
    assert answered_then["byQuarterAndKind"]["nodes"], "the dataset has groups to compare"
    await asyncio.sleep(0.01)
    for _ in range(40):
        await writer.step()
    now = await query_data(market_api, ANSWERS, {"asOf": None})
    assert now != answered_then, "the writes changed the answers"
    as_of_then = await query_data(market_api, ANSWERS, {"asOf": then.isoformat()})
    assert as_of_then == answered_then
    # And the history computation agrees with the kept values at the present too.
    latest: dt.datetime = await conn.fetchval("SELECT clock_timestamp()")
    assert await query_data(market_api, ANSWERS, {"asOf": latest.isoformat()}) == now


EVERY_ANALYTIC = """
query($asOf: DateTime) {
  considerationMix(investor: "alibaba", asOf: $asOf) {
    investmentCount byKind { kind usd { min max } }
  }
  roundTripExposure(provider: "alibaba", asOf: $asOf) { lineCount usd { min max } }
  dependencies(startup: "moonshot-ai", asOf: $asOf) { lineCount platforms { usd { min max } } }
  coInvestors(organization: "alibaba", asOf: $asOf) { totalCount roundsJoined }
  investmentPath(from: "moonshot-ai", to: "zhipu-ai", asOf: $asOf) { found length }
  portfolio(investor: "alibaba", asOf: $asOf) { holdingCount impliedValue { min max } }
  fundingTimeSeries(interval: QUARTER, asOf: $asOf) { undatedCount periods { start roundCount } }
  investorLeagueTables(interval: YEAR, asOf: $asOf) { start entries { deals } }
  fundingRoundsAggregate(groupBy: [YEAR], asOf: $asOf) { nodes { count amountUsd { min } } }
  investmentsAggregate(groupBy: [LEAD], asOf: $asOf) { nodes { count amountUsd { max } } }
}
"""


EMPTY_THEN = """
query($asOf: DateTime) {
  fundingTimeSeries(interval: QUARTER, asOf: $asOf) { undatedCount periods { start roundCount } }
  investorLeagueTables(interval: YEAR, asOf: $asOf) { start entries { deals } }
  fundingRoundsAggregate(groupBy: [YEAR], asOf: $asOf) { nodes { count amountUsd { min } } }
}
"""


async def test_every_analytic_reads_as_of_a_recorded_time(api: Api) -> None:
    now = await query_data(api, EVERY_ANALYTIC, {"asOf": None})
    recorded = dt.datetime.now(dt.UTC).isoformat()
    assert await query_data(api, EVERY_ANALYTIC, {"asOf": recorded}) == now
    # Before the article was loaded nothing was recorded: the same questions have empty answers.
    before = await query_data(api, EMPTY_THEN, {"asOf": "2000-01-01T00:00:00Z"})
    assert before["fundingTimeSeries"] == {"undatedCount": 0, "periods": []}
    assert before["fundingRoundsAggregate"]["nodes"] == []
    assert before["investorLeagueTables"] == []
