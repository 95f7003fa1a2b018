"""Funding over time, and investor league tables per period.

Rounds are chosen by the read API's own ``FundingRoundFilter`` (compiled by the repository), so
"filterable like fundingRounds" means exactly the same thing here.

A round dated to a coarser precision than the series' interval (a round known only to its
year, in a monthly series) cannot be placed in one bucket: it counts in the *maximum* of every
bucket its period overlaps and in the *minimum* of none, so counts and amounts are ranges that
never claim a precision the data lack. League tables count only rounds whose date falls in
one period for certain. Undated rounds are counted apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

import asyncpg
from sqlalchemy import Select

from service.analytics import rollups
from service.analytics.common import AnalyticsInputError, Period, UsdRange, embed, interactive
from service.analytics.values import as_of, value_sources
from service.db.tables import funding_round
from service.repository.db import Db

MAX_BUCKETS = 400
MAX_LEAGUE_PERIODS = 60


class Interval(StrEnum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class LeagueRanking(StrEnum):
    COUNT = "COUNT"
    AMOUNT = "AMOUNT"
    LEADS = "LEADS"


_RANK = "CASE {p} WHEN 'DAY' THEN 0 WHEN 'MONTH' THEN 1 WHEN 'QUARTER' THEN 2 ELSE 3 END"
_LENGTH = (
    "CASE {p} WHEN 'DAY' THEN interval '1 day' WHEN 'MONTH' THEN interval '1 month' "
    "WHEN 'QUARTER' THEN interval '3 months' ELSE interval '1 year' END"
)

# $1 the interval ('month' | 'quarter' | 'year'), $2 its rank, $3/$4 the period; `src` has
# the columns of the monthly rollup (usd_month): rounds by the first day of their date and its
# precision ('NONE' for undated rounds).
BUCKETED = f"""
placed AS (
    SELECT m.*, (m.month + {_LENGTH.format(p="m.precision")})::date AS stop,
           {_RANK.format(p="m.precision")} <= $2 AS certain
    FROM src m
    WHERE m.precision <> 'NONE'
),
bucketed AS (
    SELECT * FROM (
        SELECT p.*, date_trunc($1, p.month::timestamp)::date AS bucket
        FROM placed p WHERE p.certain
        UNION ALL
        -- Only rounds dated more coarsely than the interval span several buckets.
        SELECT p.*, b.bucket::date
        FROM placed p
        CROSS JOIN LATERAL generate_series(
            date_trunc($1, p.month::timestamp), (p.stop - 1)::timestamp,
            CASE $1 WHEN 'quarter' THEN interval '3 months' WHEN 'year' THEN interval '1 year'
                    ELSE interval '1 month' END) AS b(bucket)
        WHERE NOT p.certain
    ) x
    WHERE ($3::date IS NULL OR x.bucket >= date_trunc($1, $3::date::timestamp))
      AND ($4::date IS NULL OR x.bucket <= $4::date)
)
"""

SERIES_TAIL = f"""
series AS (
    SELECT b.bucket,
           coalesce(sum(b.rounds) FILTER (WHERE b.certain), 0) AS rounds,
           sum(b.rounds) AS possible_rounds,
           coalesce(sum(b.raised_usd) FILTER (WHERE b.certain), 0) AS amount_min,
           coalesce(sum(b.raised_usd), 0) AS amount_max,
           coalesce(bool_or(b.estimated > 0), false) AS estimated,
           coalesce(sum(b.rounds - b.valued) FILTER (WHERE b.certain), 0) AS undisclosed,
           coalesce(sum(b.cash_min) FILTER (WHERE b.certain), 0) AS cash_min,
           coalesce(sum(b.cash_max) FILTER (WHERE b.certain), 0) AS cash_max,
           coalesce(sum(b.other_min) FILTER (WHERE b.certain), 0) AS other_min,
           coalesce(sum(b.other_max) FILTER (WHERE b.certain), 0) AS other_max
    FROM bucketed b
    GROUP BY b.bucket
)
-- One row at least, so that the undated count comes even with no period (bucket NULL then).
SELECT s.*, u.undated
FROM (SELECT coalesce(sum(rounds), 0) AS undated FROM src WHERE precision = 'NONE') u
LEFT JOIN series s ON true
ORDER BY s.bucket
LIMIT {MAX_BUCKETS + 1}
"""

# The rollup of the chosen rounds, from their values (the filtered or as-of case).
ROUNDS_ROLLUP = """
src AS (
    SELECT date_trunc('month', sort_on)::date AS month, precision, count(*) AS rounds,
           count(raised_usd) AS valued,
           count(*) FILTER (WHERE raised_usd IS NOT NULL AND raised_estimated) AS estimated,
           coalesce(sum(raised_usd), 0) AS raised_usd, sum(cash_min) AS cash_min,
           sum(cash_max) AS cash_max, sum(other_min) AS other_min, sum(other_max) AS other_max
    FROM v_round
    GROUP BY 1, precision
)"""


# Rounds that are undated or can reach the period $3..$4: a round dated to its year starts up
# to a year before the first bucket it overlaps; one announced after the period's end is out
# even if its bucket is not.
REACHING = (
    "(r.announced_on IS NULL OR (r.sort_on >= coalesce($3::date - interval '1 year', "
    "'-infinity'::timestamp) AND r.sort_on <= coalesce($4::date, 'infinity'::date)))"
)


# The same on the monthly rollup, exact when the period ends on a month's last day.
REACHING_MONTH = (
    "(m.month >= date_trunc('month', coalesce($3::date - interval '1 year', "
    "'-infinity'::timestamp)) AND m.month <= coalesce($4::date, 'infinity'::date))"
)


def _month_aligned(period: Period) -> bool:
    return period.end is None or (period.end + dt.timedelta(days=1)).day == 1


def _sources(rounds: Select[Any] | None, stored: bool, period: Period) -> str:
    """The CTEs up to `src`; with `{sub}` for the filtered ids when ``rounds`` is given. All
    rounds, as kept, over a period ending with a month: the monthly rollup alone."""
    if rounds is None and stored and _month_aligned(period):
        return f"src AS (SELECT * FROM usd_month m WHERE m.precision = 'NONE' OR {REACHING_MONTH})"
    chosen = REACHING if rounds is None else f"r.id IN (SELECT id FROM ids) AND {REACHING}"
    ids = "" if rounds is None else "ids AS ({sub}),"
    return f"{ids} {value_sources(stored, chosen)}, {ROUNDS_ROLLUP}"


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    start: dt.date
    end: dt.date
    round_count: int
    possible_round_count: int
    amount: UsdRange
    undisclosed_count: int
    non_cash_share_min: Decimal | None
    non_cash_share_max: Decimal | None


@dataclass(frozen=True, slots=True)
class FundingSeries:
    points: list[SeriesPoint]
    undated_count: int


def _period_end(start: dt.date, interval: Interval) -> dt.date:
    months = {Interval.MONTH: 1, Interval.QUARTER: 3, Interval.YEAR: 12}[interval]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


_INTERVAL_RANK = {Interval.MONTH: 1, Interval.QUARTER: 2, Interval.YEAR: 3}


def _args(interval: Interval, period: Period) -> list[Any]:
    return [interval.value.lower(), _INTERVAL_RANK[interval], period.start, period.end]


def _ids(rounds: Select[Any]) -> Select[Any]:
    return rounds.with_only_columns(funding_round.c.id)


def _share(part: Decimal, rest: Decimal) -> Decimal | None:
    whole = part + rest
    return None if whole == 0 else round(part / whole, 6)


async def funding_series(
    db: Db, rounds: Select[Any] | None, interval: Interval, period: Period
) -> FundingSeries:
    """``rounds`` selects funding rounds (the read API's filtered select; only ids are used),
    None for all of them, which the monthly rollup answers without reading a round."""
    await interactive(db)
    stored = as_of(db) is None
    template = f"WITH {_sources(rounds, stored, period)}, {BUCKETED}, {SERIES_TAIL}"
    if rounds is None:
        sql, args = template, _args(interval, period)
    else:
        sql, args = embed(_ids(rounds), template, _args(interval, period))
    rows = await db.fetch_sql(sql, args)
    if len(rows) > MAX_BUCKETS:
        raise AnalyticsInputError(
            f"The series would have more than {MAX_BUCKETS} periods: give a shorter period "
            "or a longer interval."
        )
    points = []
    for r in rows:
        if r["bucket"] is None:
            continue
        has_mix = r["cash_max"] + r["other_max"] > 0
        points.append(
            SeriesPoint(
                start=r["bucket"],
                end=_period_end(r["bucket"], interval),
                round_count=int(r["rounds"]),
                possible_round_count=int(r["possible_rounds"]),
                amount=UsdRange(r["amount_min"], r["amount_max"], r["estimated"]),
                undisclosed_count=int(r["undisclosed"]),
                # The least non-cash share pairs the least non-cash with the most cash, and the
                # other way round: the true share lies between whatever the split.
                non_cash_share_min=_share(r["other_min"], r["cash_max"]) if has_mix else None,
                non_cash_share_max=_share(r["other_max"], r["cash_min"]) if has_mix else None,
            )
        )
    return FundingSeries(points, int(rows[0]["undated"]))


LEAGUE_SQL = f"""
certain AS (
    SELECT v.round_id, date_trunc($1, v.sort_on::timestamp)::date AS bucket
    FROM v_round v
    WHERE v.precision <> 'NONE' AND {_RANK.format(p="v.precision")} <= $2
      AND ($3::date IS NULL OR v.sort_on >= date_trunc($1, $3::date::timestamp))
      AND ($4::date IS NULL OR v.sort_on <= $4::date)
),
deals AS (
    SELECT c.bucket, i.investor_id, count(*) AS deals, count(*) FILTER (WHERE i.is_lead) AS leads,
           coalesce(sum(i.committed_usd), 0) AS amount,
           count(*) FILTER (WHERE i.committed_usd IS NULL) AS undisclosed,
           coalesce(bool_or(i.committed_estimated) FILTER (WHERE i.committed_usd IS NOT NULL),
                    false) AS estimated
    FROM certain c
    {{investments}}
    WHERE i.investor_id IS NOT NULL  -- organizations only: angels are in no league table
    GROUP BY c.bucket, i.investor_id
),
ranked AS (
    SELECT d.*, row_number() OVER (
        PARTITION BY d.bucket
        ORDER BY CASE $5 WHEN 'COUNT' THEN d.deals WHEN 'LEADS' THEN d.leads END DESC NULLS LAST,
                 CASE WHEN $5 = 'AMOUNT' THEN d.amount END DESC NULLS LAST,
                 d.deals DESC, d.amount DESC, d.investor_id) AS position,
           count(*) OVER (PARTITION BY d.bucket) AS investors
    FROM deals d
)
SELECT * FROM ranked
WHERE position <= $6
  AND bucket IN (SELECT DISTINCT bucket FROM certain ORDER BY bucket LIMIT {MAX_LEAGUE_PERIODS + 1})
ORDER BY bucket, position
"""


# Each certain round's kept investments through their index: a hash join would read all of
# them for a year's rounds (OFFSET 0 keeps the planner from turning this into one).
STORED_INVESTMENTS = """CROSS JOIN LATERAL (
        SELECT x.* FROM usd_investment x WHERE x.round_id = c.round_id AND x.live OFFSET 0
    ) i"""
JOINED = "JOIN v_investment i ON i.round_id = c.round_id"


@dataclass(frozen=True, slots=True)
class LeagueEntry:
    position: int
    investor_id: int
    deals: int
    leads: int
    amount: UsdRange
    undisclosed_count: int


@dataclass(frozen=True, slots=True)
class LeaguePeriod:
    start: dt.date
    end: dt.date
    investor_count: int
    entries: list[LeagueEntry]


async def league_tables(
    db: Db,
    rounds: Select[Any] | None,
    interval: Interval,
    period: Period,
    ranking: LeagueRanking,
    first: int,
    *,
    rollup: bool = True,
) -> list[LeaguePeriod]:
    """``rollup=False`` reads the rows where the kept rollup could answer (the tests compare
    the two)."""
    await interactive(db)
    stored = as_of(db) is None
    args = [*_args(interval, period), ranking.value, first]
    if rollup and rounds is None and stored and _month_aligned(period):
        yearly = interval is Interval.YEAR and (
            period.end is None or (period.end.month, period.end.day) == (12, 31)
        )
        if yearly:
            sql = rollups.yearly_league_sql(MAX_LEAGUE_PERIODS, ranking.value)
            rows = await db.fetch_sql(sql, [period.start, period.end, first])
            return _league(rows, interval)
        sql = rollups.league_sql(MAX_LEAGUE_PERIODS)
        return _league(await db.fetch_sql(sql, args), interval)
    # `certain` bounds the kept rounds by date through their index; the rest need the bound.
    if rounds is None:
        chosen = "true" if stored else REACHING
    else:
        chosen = f"r.id IN (SELECT id FROM ids) AND {REACHING}"
    ids = "" if rounds is None else "ids AS ({sub}),"
    template = f"WITH {ids} {value_sources(stored, chosen)}, {LEAGUE_SQL}"
    template = template.replace("{investments}", STORED_INVESTMENTS if stored else JOINED)
    if rounds is None:
        sql = template
    else:
        sql, args = embed(_ids(rounds), template, args)
    return _league(await db.fetch_sql(sql, args), interval)


def _league(rows: list[asyncpg.Record], interval: Interval) -> list[LeaguePeriod]:
    periods: dict[dt.date, LeaguePeriod] = {}
    for r in rows:
        bucket = r["bucket"]
        if bucket not in periods:
            periods[bucket] = LeaguePeriod(
                bucket, _period_end(bucket, interval), r["investors"], []
            )
        periods[bucket].entries.append(
            LeagueEntry(
                position=r["position"],
                investor_id=r["investor_id"],
                deals=r["deals"],
                leads=r["leads"],
                # Only disclosed amounts add up; `undisclosedCount` says how many are missing.
                amount=UsdRange(r["amount"], r["amount"], r["estimated"]),
                undisclosed_count=r["undisclosed"],
            )
        )
    if len(periods) > MAX_LEAGUE_PERIODS:
        raise AnalyticsInputError(
            f"League tables cover at most {MAX_LEAGUE_PERIODS} periods: give a shorter period "
            "or a longer interval."
        )
    return list(periods.values())
