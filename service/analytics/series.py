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

from sqlalchemy import Select

from service.analytics.common import AnalyticsInputError, Period, UsdRange, embed, interactive
from service.analytics.consideration import valued_components
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

# $1 the interval ('month' | 'quarter' | 'year'), $2 its rank, $3/$4 the period, {sub} the
# filtered rounds.
PLACED_ROUNDS = f"""
-- Only the ids come from the filter, so the SQL reads the columns it names and nothing else.
ids AS ({{sub}}),
-- Dated rounds that can reach the period: a round dated to its year starts up to a year
-- before the first bucket it overlaps. The bounds on sort_on let its index find them.
chosen AS (
    SELECT * FROM funding_round
    WHERE id IN (SELECT id FROM ids) AND announced_on IS NOT NULL
      AND sort_on >= coalesce($3::date - interval '1 year', '-infinity'::timestamp)
      AND sort_on <= coalesce($4::date, 'infinity'::date)
),
placed AS (
    SELECT fr.id, fr.announced_on,
           (fr.announced_on + {_LENGTH.format(p="fr.announced_precision")})::date AS stop,
           {_RANK.format(p="fr.announced_precision")} <= $2 AS certain,
           round(fr.raised_amount * fx.usd_per_unit, 2) AS raised_usd, fr.raised_estimated
    FROM chosen fr
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = fr.raised_currency AND f.rate_on <= fr.announced_on
        ORDER BY f.rate_on DESC LIMIT 1
    ) fx ON true
    WHERE fr.announced_on IS NOT NULL
),
bucketed AS (
    SELECT * FROM (
        SELECT p.*, date_trunc($1, p.announced_on::timestamp)::date AS bucket
        FROM placed p WHERE p.certain
        UNION ALL
        -- Only rounds dated more coarsely than the interval span several buckets.
        SELECT p.*, b.bucket::date
        FROM placed p
        CROSS JOIN LATERAL generate_series(
            date_trunc($1, p.announced_on::timestamp), (p.stop - 1)::timestamp,
            CASE $1 WHEN 'quarter' THEN interval '3 months' WHEN 'year' THEN interval '1 year'
                    ELSE interval '1 month' END) AS b(bucket)
        WHERE NOT p.certain
    ) x
    WHERE ($3::date IS NULL OR x.bucket >= date_trunc($1, $3::date::timestamp))
      AND ($4::date IS NULL OR x.bucket <= $4::date)
)
"""

SERIES_SQL = f"""
WITH {PLACED_ROUNDS},
{
    valued_components(
        "{with_mix} AND i.round_id IN (SELECT id FROM bucketed WHERE certain)",
        "NULL",
        "NULL",
        "false",
    )
},
round_mix AS (
    SELECT round_id,
           sum(usd_min) FILTER (WHERE kind = 'CASH') AS cash_min,
           sum(usd_max) FILTER (WHERE kind = 'CASH') AS cash_max,
           sum(usd_min) FILTER (WHERE kind <> 'CASH') AS other_min,
           sum(usd_max) FILTER (WHERE kind <> 'CASH') AS other_max
    FROM comp WHERE usd_min IS NOT NULL AND usd_max IS NOT NULL AND {{with_mix}}
    GROUP BY round_id
),
series AS (
    SELECT b.bucket,
           count(*) FILTER (WHERE b.certain) AS rounds,
           count(*) AS possible_rounds,
           coalesce(sum(b.raised_usd) FILTER (WHERE b.certain), 0) AS amount_min,
           coalesce(sum(b.raised_usd), 0) AS amount_max,
           coalesce(bool_or(b.raised_estimated) FILTER (WHERE b.raised_usd IS NOT NULL), false)
               AS estimated,
           count(*) FILTER (WHERE b.certain AND b.raised_usd IS NULL) AS undisclosed,
           coalesce(sum(m.cash_min) FILTER (WHERE b.certain), 0) AS cash_min,
           coalesce(sum(m.cash_max) FILTER (WHERE b.certain), 0) AS cash_max,
           coalesce(sum(m.other_min) FILTER (WHERE b.certain), 0) AS other_min,
           coalesce(sum(m.other_max) FILTER (WHERE b.certain), 0) AS other_max
    FROM bucketed b LEFT JOIN round_mix m ON m.round_id = b.id
    GROUP BY b.bucket
)
SELECT s.*,
       (SELECT count(*) FROM funding_round
        WHERE id IN (SELECT id FROM ids) AND announced_on IS NULL) AS undated
FROM series s ORDER BY bucket
LIMIT {MAX_BUCKETS + 1}
"""


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
    db: Db, rounds: Select[Any], interval: Interval, period: Period, with_mix: bool = True
) -> FundingSeries:
    """``rounds`` selects funding rounds (the read API's filtered select); only ids are used."""
    await interactive(db)
    rounds = _ids(rounds)
    # Valuing every component is most of the cost over long periods: done only when asked
    # (`with_mix`; a constant false lets the planner skip the whole branch).
    template = SERIES_SQL.replace("{with_mix}", "true" if with_mix else "false")
    sql, args = embed(rounds, template, _args(interval, period))
    rows = await db.fetch_sql(sql, args)
    if len(rows) > MAX_BUCKETS:
        raise AnalyticsInputError(
            f"The series would have more than {MAX_BUCKETS} periods: give a shorter period "
            "or a longer interval."
        )
    points = []
    for r in rows:
        has_mix = r["cash_max"] + r["other_max"] > 0
        points.append(
            SeriesPoint(
                start=r["bucket"],
                end=_period_end(r["bucket"], interval),
                round_count=r["rounds"],
                possible_round_count=r["possible_rounds"],
                amount=UsdRange(r["amount_min"], r["amount_max"], r["estimated"]),
                undisclosed_count=r["undisclosed"],
                # The least non-cash share pairs the least non-cash with the most cash, and the
                # other way round: the true share lies between whatever the split.
                non_cash_share_min=_share(r["other_min"], r["cash_max"]) if has_mix else None,
                non_cash_share_max=_share(r["other_max"], r["cash_min"]) if has_mix else None,
            )
        )
    undated = rows[0]["undated"] if rows else await _undated(db, rounds)
    return FundingSeries(points, undated)


async def _undated(db: Db, rounds: Select[Any]) -> int:
    sql, args = embed(
        rounds,
        "SELECT count(*) AS n FROM funding_round WHERE id IN ({sub}) AND announced_on IS NULL",
        [],
    )
    rows = await db.fetch_sql(sql, args)
    return int(rows[0]["n"])


LEAGUE_SQL = f"""
WITH {PLACED_ROUNDS},
certain AS (SELECT * FROM bucketed WHERE certain),
deals AS (
    SELECT c.bucket, i.investor_id, count(*) AS deals, count(*) FILTER (WHERE i.is_lead) AS leads,
           coalesce(sum(round(i.committed_amount * fx.usd_per_unit, 2)), 0) AS amount,
           count(*) FILTER (WHERE fx.usd_per_unit IS NULL OR i.committed_amount IS NULL)
               AS undisclosed,
           coalesce(bool_or(i.committed_estimated) FILTER (WHERE i.committed_amount IS NOT NULL),
                    false) AS estimated
    FROM certain c
    JOIN investment i ON i.round_id = c.id
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = i.committed_currency AND f.rate_on <= c.announced_on
        ORDER BY f.rate_on DESC LIMIT 1
    ) fx ON true
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
    rounds: Select[Any],
    interval: Interval,
    period: Period,
    ranking: LeagueRanking,
    first: int,
) -> list[LeaguePeriod]:
    await interactive(db)
    rounds = _ids(rounds)
    sql, args = embed(rounds, LEAGUE_SQL, [*_args(interval, period), ranking.value, first])
    rows = await db.fetch_sql(sql, args)
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
