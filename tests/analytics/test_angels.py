"""Angels (people investing their own money) in the analytics of the generated market: left
out of league tables and of every grouping by investor, whether the kept rollup or the rows
answer, while their money still counts in round and lead totals."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from service.analytics import aggregates, series
from service.analytics.common import Period
from service.repository.db import Db

G, U = aggregates.GroupBy, aggregates.Unit
PERIOD = Period(dt.date(2015, 1, 1), dt.date(2024, 12, 31))


async def _groups(
    conn: asyncpg.Connection,
    unit: aggregates.Unit,
    group_by: list[aggregates.GroupBy],
    rollup: bool,
) -> list[aggregates.Group]:
    async with conn.transaction(readonly=True):
        await conn.execute("SET LOCAL search_path = live, public")
        found = await aggregates.aggregate(
            Db(conn), unit, None, group_by, aggregates.AggregateOrder.KEYS, 100_000, 0,
            rollup=rollup,
        )  # fmt: skip
    return found.groups


async def _count(conn: asyncpg.Connection, sql: str) -> int:
    value = await conn.fetchval(sql)
    assert isinstance(value, int)
    return value


@pytest.mark.parametrize("rollup", [True, False])
async def test_investor_groupings_leave_angels_out(
    generated_conn: asyncpg.Connection, rollup: bool
) -> None:
    conn = generated_conn
    live = (
        "FROM investment i JOIN funding_round r ON r.id = i.round_id"
        " WHERE i.retired_at IS NULL AND r.retired_at IS NULL"
    )
    angels = await _count(conn, f"SELECT count(*) {live} AND i.investor_person_id IS NOT NULL")
    organizations = await _count(conn, f"SELECT count(*) {live} AND i.investor_id IS NOT NULL")
    assert angels > 0

    by_investor = await _groups(conn, U.INVESTMENTS, [G.INVESTOR], rollup)
    assert all(g.key.investor_id is not None for g in by_investor)
    assert sum(g.count for g in by_investor) == organizations
    # Grouped by lead flag alone, an angel's investment counts like any other.
    by_lead = await _groups(conn, U.INVESTMENTS, [G.LEAD], rollup)
    assert sum(g.count for g in by_lead) == organizations + angels


async def _no_investor_group(conn: asyncpg.Connection, rollup: bool) -> aggregates.Group | None:
    rounds = await _groups(conn, U.ROUNDS, [G.INVESTOR], rollup)
    return next((g for g in rounds if g.key.investor_id is None), None)


@pytest.mark.parametrize("rollup", [True, False])
async def test_a_round_only_angels_joined_has_no_investor_but_keeps_its_money(
    generated_conn: asyncpg.Connection, rollup: bool
) -> None:
    """Written in a transaction that is rolled back: the shared market stays as generated."""
    conn = generated_conn
    before = await _no_investor_group(conn, rollup)
    years_before = await _groups(conn, U.ROUNDS, [G.YEAR], rollup)
    transaction = conn.transaction()
    await transaction.start()
    try:
        round_id = await conn.fetchval(
            "INSERT INTO public.funding_round (organization_id, round_type, status, announced_on,"
            " announced_precision, raised_amount, raised_currency)"
            " SELECT id, 'SEED', 'CLOSED', '2022-05-01', 'DAY', 1000000, 'USD'"
            " FROM public.organization WHERE slug = 'moonshot-ai' RETURNING id"
        )
        await conn.execute(
            "INSERT INTO public.investment (round_id, investor_person_id, committed_amount,"
            " committed_currency) SELECT $1, id, 400000, 'USD' FROM public.person"
            " WHERE slug = 'eddie-wu'",
            round_id,
        )
        after = await _no_investor_group(conn, rollup)
        years_after = await _groups(conn, U.ROUNDS, [G.YEAR], rollup)
    finally:
        await transaction.rollback()
    assert after is not None
    assert after.count == (before.count if before else 0) + 1
    assert after.amount.high - (before.amount.high if before else 0) == 1000000
    # The round and its money are in the round totals.
    assert sum(g.count for g in years_after) == sum(g.count for g in years_before) + 1


@pytest.mark.parametrize("rollup", [True, False])
async def test_league_tables_ignore_angels(
    generated_conn: asyncpg.Connection, rollup: bool
) -> None:
    conn = generated_conn
    async with conn.transaction(readonly=True):
        await conn.execute("SET LOCAL search_path = live, public")
        tables = await series.league_tables(
            Db(conn), None, series.Interval.YEAR, PERIOD, series.LeagueRanking.COUNT, 100,
            rollup=rollup,
        )  # fmt: skip
    investors_by_year = {
        row["year"]: row["n"]
        for row in await conn.fetch(
            "SELECT date_trunc('year', r.announced_on)::date AS year,"
            " count(DISTINCT i.investor_id) AS n"
            " FROM investment i JOIN funding_round r ON r.id = i.round_id"
            " WHERE r.announced_on IS NOT NULL AND i.retired_at IS NULL"
            " AND r.retired_at IS NULL GROUP BY 1"
        )
    }
    assert len(tables) == 10
    for table in tables:
        assert all(entry.investor_id is not None for entry in table.entries)
        assert table.investor_count == investors_by_year.get(table.start, 0)
