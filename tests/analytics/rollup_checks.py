"""Every aggregate and league table the kept rollup answers, compared with the row path."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable

import asyncpg

from service.analytics import aggregates, series
from service.analytics.common import AnalyticsInputError, Period
from service.repository.db import Db

DIMENSIONS = list(aggregates.GroupBy)
PERIODS = set(aggregates.PERIODS)
# Every single dimension and every pair of them (one period at most), and a few triples.
SHAPES: list[tuple[aggregates.GroupBy, ...]] = [
    *((d,) for d in DIMENSIONS),
    *(p for p in itertools.combinations(DIMENSIONS, 2) if len(PERIODS.intersection(p)) < 2),
    (aggregates.GroupBy.YEAR, aggregates.GroupBy.INVESTOR, aggregates.GroupBy.LEAD),
    (
        aggregates.GroupBy.QUARTER,
        aggregates.GroupBy.CONSIDERATION_KIND,
        aggregates.GroupBy.LEAD,
        aggregates.GroupBy.COUNTRY,
    ),
]
LEAGUE_PERIODS = [
    Period(),
    Period(dt.date(2020, 1, 1), dt.date(2022, 12, 31)),
    Period(dt.date(2023, 4, 1), dt.date(2023, 6, 30)),
    Period(None, dt.date(2019, 11, 30)),
]


async def assert_rollup_equals_rows(conn: asyncpg.Connection) -> int:
    """Compares every shape in every order, whole (no page limit); returns how many groups
    were compared, so that a caller can tell the data had some."""
    compared = 0
    async with conn.transaction(readonly=True):
        await conn.execute("SET LOCAL search_path = live, public")
        db = Db(conn)
        for unit in aggregates.Unit:
            for shape in SHAPES:
                group_by = list(shape)
                for order in aggregates.AggregateOrder:
                    args = (db, unit, None, group_by, order, 100_000, 0)
                    kept = await aggregates.aggregate(*args)
                    rows = await aggregates.aggregate(*args, rollup=False)
                    assert kept == rows, f"{unit} {shape} {order}: the rollup differs"
                    compared += len(rows.groups)
        for interval in series.Interval:
            for period in LEAGUE_PERIODS:
                for ranking in series.LeagueRanking:
                    league = (db, None, interval, period, ranking, 7)
                    kept_league = await _answer(series.league_tables(*league))
                    rows_league = await _answer(series.league_tables(*league, rollup=False))
                    assert kept_league == rows_league, f"league {interval} {period} {ranking}"
    return compared


async def _answer(call: Awaitable[object]) -> object:
    """The answer, or the error the analytic gives (both paths must give the same)."""
    try:
        return await call
    except AnalyticsInputError as error:
        return str(error)
