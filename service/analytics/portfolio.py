"""An investor's portfolio: holdings with implied stake values, and exposure by sector and country.

A holding is one start-up the investor joined rounds of. Its stake is the sum of its
investments' stakes, each the stored stake range or, where none is stored, the committed
amount over that round's post-money valuation; it is known only when every investment's stake
is. The implied value is that stake range times the start-up's latest known valuation (the
post-money of its latest round that states one). Later rounds dilute earlier stakes and the
data do not say by how much, so for a start-up that raised again after the investor's last
round the implied value is an upper estimate; ``diluted`` says when that is the case.

A start-up's sector is the category of its products (the most common; ties alphabetically);
start-ups with no product have no known sector and are grouped as such, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from service.analytics.common import UsdRange, organization_ids
from service.repository.db import Db

MAX_EXPOSURE_GROUPS = 100

PORTFOLIO_SQL = f"""
WITH inv AS (
    SELECT i.id, i.round_id, r.organization_id AS startup_id, i.is_lead, r.sort_on,
           round(i.committed_amount * ifx.usd_per_unit, 2) AS committed_usd,
           i.committed_estimated,
           CASE WHEN i.stake_min IS NOT NULL THEN i.stake_min
                WHEN i.committed_amount IS NOT NULL AND r.post_money_amount > 0
                THEN least(1, round(i.committed_amount * ifx.usd_per_unit
                                    / (r.post_money_amount * pfx.usd_per_unit), 6))
           END AS stake_min,
           CASE WHEN i.stake_max IS NOT NULL THEN i.stake_max
                WHEN i.committed_amount IS NOT NULL AND r.post_money_amount > 0
                THEN least(1, round(i.committed_amount * ifx.usd_per_unit
                                    / (r.post_money_amount * pfx.usd_per_unit), 6))
           END AS stake_max,
           i.stake_estimated OR (i.stake_min IS NULL AND (i.committed_estimated
                                                          OR r.post_money_estimated))
               AS stake_estimated
    FROM investment i
    JOIN funding_round r ON r.id = i.round_id
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = i.committed_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) ifx ON true
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = r.post_money_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) pfx ON true
    WHERE i.investor_id = $1
),
holding AS (
    SELECT startup_id, array_agg(id ORDER BY sort_on, id) AS investment_ids,
           count(*) AS rounds, count(*) FILTER (WHERE is_lead) AS leads,
           coalesce(sum(committed_usd), 0) AS committed_usd,
           count(*) FILTER (WHERE committed_usd IS NULL) AS undisclosed,
           bool_or(committed_estimated) FILTER (WHERE committed_usd IS NOT NULL)
               AS committed_estimated,
           CASE WHEN bool_and(stake_min IS NOT NULL) THEN least(1, sum(stake_min)) END
               AS stake_min,
           CASE WHEN bool_and(stake_max IS NOT NULL) THEN least(1, sum(stake_max)) END
               AS stake_max,
           coalesce(bool_or(stake_estimated), false) AS stake_estimated,
           max(sort_on) AS last_joined
    FROM inv GROUP BY startup_id
),
valued AS (
    SELECT h.*, o.name, o.country, v.valuation_usd, v.valuation_on, v.valuation_precision,
           v.valuation_estimated, v.sort_on > h.last_joined AS diluted, s.sector,
           round(h.stake_min * v.valuation_usd, 2) AS value_min,
           round(h.stake_max * v.valuation_usd, 2) AS value_max
    FROM holding h
    JOIN organization o ON o.id = h.startup_id
    LEFT JOIN LATERAL (
        SELECT round(r.post_money_amount * fx.usd_per_unit, 2) AS valuation_usd,
               r.announced_on AS valuation_on, r.announced_precision AS valuation_precision,
               r.post_money_estimated AS valuation_estimated, r.sort_on
        FROM funding_round r
        LEFT JOIN LATERAL (
            SELECT f.usd_per_unit FROM fx_rate f
            WHERE f.currency = r.post_money_currency
              AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
            ORDER BY f.rate_on DESC LIMIT 1
        ) fx ON true
        WHERE r.organization_id = h.startup_id AND r.post_money_amount IS NOT NULL
        ORDER BY r.sort_on DESC, r.id DESC LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
        SELECT p.category AS sector FROM product p
        WHERE p.organization_id = h.startup_id AND p.category IS NOT NULL
        GROUP BY p.category ORDER BY count(*) DESC, p.category LIMIT 1
    ) s ON true
),
exposure AS (
    SELECT dimension, key, count(*) AS holdings, sum(committed_usd) AS committed_usd,
           coalesce(sum(value_min) FILTER (WHERE value_max IS NOT NULL), 0) AS value_min,
           coalesce(sum(value_max) FILTER (WHERE value_min IS NOT NULL), 0) AS value_max,
           count(*) FILTER (WHERE value_min IS NULL OR value_max IS NULL) AS unvalued,
           row_number() OVER (PARTITION BY dimension ORDER BY count(*) DESC, key NULLS LAST)
               AS position
    FROM (
        SELECT 'COUNTRY' AS dimension, country AS key, * FROM valued
        UNION ALL
        SELECT 'SECTOR', sector, * FROM valued
    ) d
    GROUP BY dimension, key
)
SELECT 'holding' AS part, startup_id, investment_ids, rounds, leads, committed_usd,
       undisclosed, committed_estimated, stake_min, stake_max, stake_estimated, valuation_usd,
       valuation_on, valuation_precision, valuation_estimated, diluted, sector, value_min,
       value_max, NULL::text AS dimension, NULL::bigint AS holdings, NULL::bigint AS unvalued
FROM (SELECT * FROM valued
      ORDER BY committed_usd DESC, value_max DESC NULLS LAST, name, startup_id
      LIMIT $2) top
UNION ALL
SELECT 'exposure', NULL, NULL, NULL, NULL, committed_usd, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, key, value_min, value_max, dimension, holdings, unvalued
FROM exposure WHERE position <= {MAX_EXPOSURE_GROUPS}
UNION ALL
SELECT 'totals', NULL, NULL, count(*), sum(leads), sum(committed_usd), sum(undisclosed),
       coalesce(bool_or(stake_estimated OR coalesce(valuation_estimated, false)
                        OR coalesce(diluted, false)) FILTER (WHERE value_min IS NOT NULL), false),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       coalesce(sum(value_min) FILTER (WHERE value_max IS NOT NULL), 0),
       coalesce(sum(value_max) FILTER (WHERE value_min IS NOT NULL), 0), NULL,
       sum(rounds), count(*) FILTER (WHERE value_min IS NULL OR value_max IS NULL)
FROM valued
"""


@dataclass(frozen=True, slots=True)
class Holding:
    startup_id: int
    investment_ids: list[int]
    rounds: int
    leads: int
    committed_usd: Decimal
    committed_estimated: bool
    undisclosed_count: int
    stake_min: Decimal | None
    stake_max: Decimal | None
    stake_estimated: bool
    valuation_usd: Decimal | None
    valuation_on: dt.date | None
    valuation_precision: str | None
    valuation_estimated: bool
    diluted: bool
    sector: str | None
    implied_value: UsdRange | None


@dataclass(frozen=True, slots=True)
class Exposure:
    dimension: str
    key: str | None
    holdings: int
    committed_usd: Decimal
    implied_value: UsdRange
    unvalued_count: int


@dataclass(frozen=True, slots=True)
class Portfolio:
    holding_count: int
    investment_count: int
    lead_count: int
    committed_usd: Decimal
    undisclosed_count: int
    implied_value: UsdRange
    unvalued_count: int
    holdings: list[Holding]
    exposures: list[Exposure]


async def portfolio(db: Db, investor: str, first: int) -> Portfolio:
    (investor_id,) = await organization_ids(db, [investor])
    rows = await db.fetch_sql(PORTFOLIO_SQL, [investor_id, first])
    totals = next(r for r in rows if r["part"] == "totals")
    holdings = [
        Holding(
            startup_id=r["startup_id"],
            investment_ids=list(r["investment_ids"]),
            rounds=int(r["rounds"]),
            leads=int(r["leads"]),
            committed_usd=r["committed_usd"],
            committed_estimated=bool(r["committed_estimated"]),
            undisclosed_count=int(r["undisclosed"]),
            stake_min=r["stake_min"],
            stake_max=r["stake_max"],
            stake_estimated=r["stake_estimated"],
            valuation_usd=r["valuation_usd"],
            valuation_on=r["valuation_on"],
            valuation_precision=r["valuation_precision"],
            valuation_estimated=bool(r["valuation_estimated"]),
            diluted=bool(r["diluted"]),
            sector=r["sector"],
            implied_value=(
                None
                if r["value_min"] is None or r["value_max"] is None
                else UsdRange(
                    r["value_min"],
                    r["value_max"],
                    r["stake_estimated"] or bool(r["valuation_estimated"]) or bool(r["diluted"]),
                )
            ),
        )
        for r in rows
        if r["part"] == "holding"
    ]
    exposures = [
        Exposure(
            dimension=r["dimension"],
            key=r["sector"],
            holdings=int(r["holdings"]),
            committed_usd=r["committed_usd"],
            implied_value=UsdRange(r["value_min"], r["value_max"]),
            unvalued_count=r["unvalued"],
        )
        for r in rows
        if r["part"] == "exposure"
    ]
    exposures.sort(key=lambda x: (x.dimension, -x.holdings, x.key is None, x.key or ""))
    return Portfolio(
        holding_count=int(totals["rounds"]),
        investment_count=int(totals["holdings"] or 0),
        lead_count=int(totals["leads"] or 0),
        committed_usd=totals["committed_usd"] or Decimal(0),
        undisclosed_count=int(totals["undisclosed"] or 0),
        implied_value=UsdRange(
            totals["value_min"], totals["value_max"], bool(totals["committed_estimated"])
        ),
        unvalued_count=totals["unvalued"],
        holdings=holdings,
        exposures=exposures,
    )
