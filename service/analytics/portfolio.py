"""An investor's portfolio: holdings still held apart from exited ones, implied stake values,
and exposure by sector and country.

A holding is one start-up the investor joined rounds of. Its status follows its investments'
exits: ``EXITED`` when every investment ended whole, ``PARTIALLY_EXITED`` when any exit is
recorded short of that, else ``ACTIVE``. Its stake is the sum of its investments' stakes, each
the stored stake range or, where none is stored, the committed amount over that round's
post-money valuation; it is known only when every investment's stake is. The stake still held
takes off what partial exits sold (each exit's share of its investment, summed, as a range).

The implied value is the stake still held times the start-up's latest valuation of any basis:
its latest valuation record, or the post-money of a round no valuation record stands for,
whichever is later (a record wins a tie, as it says more). Later rounds dilute earlier stakes
and the data do not say by how much, so for a start-up that raised again after the investor's
last round the implied value is an upper estimate; ``diluted`` says when that is the case.
Exited holdings have no implied value, and the totals of value and the exposure cover the
holdings still held; committed amounts and counts of investments cover both.

A start-up's sector is the category of its products (the most common; ties alphabetically);
start-ups with no product have no known sector and are grouped as such, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from service.analytics.common import UsdRange, organization_ids
from service.repository.db import Db

MAX_EXPOSURE_GROUPS = 100

# The USD value of an amount at the latest rate on or before a date (the latest rate when
# undated), as every analytic values money.
_FX = """LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = {currency}
          AND f.rate_on <= coalesce({on}, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) {alias} ON true"""

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
               AS stake_estimated,
           CASE WHEN x.exits = 0 THEN 'ACTIVE' WHEN x.whole THEN 'EXITED'
                ELSE 'PARTIALLY_EXITED' END AS status,
           -- The fraction still held: what partial exits sold, as a range, taken off.
           CASE WHEN x.whole THEN 0 ELSE 1 - least(1, x.sold_max) END AS kept_min,
           CASE WHEN x.whole THEN 0 ELSE 1 - least(1, x.sold_min) END AS kept_max
    FROM investment i
    JOIN funding_round r ON r.id = i.round_id
    {_FX.format(currency="i.committed_currency", on="r.announced_on", alias="ifx")}
    {_FX.format(currency="r.post_money_currency", on="r.announced_on", alias="pfx")}
    -- The rule of investment_status (service/repository/exits.py), with the shares sold.
    CROSS JOIN LATERAL (
        SELECT count(*) AS exits,
               coalesce(bool_or(e.share_min IS NULL OR e.share_min = 1), false) AS whole,
               coalesce(sum(e.share_min), 0) AS sold_min,
               coalesce(sum(e.share_max), 0) AS sold_max
        FROM exit e WHERE e.investment_id = i.id
    ) x
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
           CASE WHEN bool_and(stake_min IS NOT NULL)
                THEN least(1, sum(round(stake_min * kept_min, 6))) END AS held_min,
           CASE WHEN bool_and(stake_max IS NOT NULL)
                THEN least(1, sum(round(stake_max * kept_max, 6))) END AS held_max,
           coalesce(bool_or(stake_estimated), false) AS stake_estimated,
           CASE WHEN bool_and(status = 'EXITED') THEN 'EXITED'
                WHEN bool_or(status <> 'ACTIVE') THEN 'PARTIALLY_EXITED'
                ELSE 'ACTIVE' END AS status,
           max(sort_on) AS last_joined
    FROM inv GROUP BY startup_id
),
valued AS (
    SELECT h.*, o.name, o.country, s.sector,
           v.basis AS valuation_basis, v.valuation_id, v.round_id AS valuation_round_id,
           v.valuation_usd, v.valuation_on, v.valuation_precision, v.valuation_estimated,
           EXISTS (SELECT FROM funding_round r
                   WHERE r.organization_id = h.startup_id AND r.sort_on > h.last_joined)
               AS diluted,
           le.exited_on, le.exited_precision, coalesce(le.sort_on, '0001-01-01') AS exit_sort,
           CASE WHEN h.status <> 'EXITED' THEN round(h.held_min * v.valuation_usd, 2) END
               AS value_min,
           CASE WHEN h.status <> 'EXITED' THEN round(h.held_max * v.valuation_usd, 2) END
               AS value_max
    FROM holding h
    JOIN organization o ON o.id = h.startup_id
    LEFT JOIN LATERAL (
        SELECT c.basis, c.valuation_id, c.round_id, c.valuation_on, c.valuation_precision,
               c.valuation_estimated, round(c.amount * fx.usd_per_unit, 2) AS valuation_usd
        FROM (
            (SELECT v.basis, v.id AS valuation_id, v.round_id, v.valued_on AS valuation_on,
                    v.valued_precision AS valuation_precision,
                    v.value_estimated AS valuation_estimated, v.value_amount AS amount,
                    v.value_currency AS currency, v.sort_on, 0 AS source, v.id
             FROM valuation v WHERE v.organization_id = h.startup_id
             ORDER BY v.sort_on DESC, v.id DESC LIMIT 1)
            UNION ALL
            (SELECT 'POST_MONEY', NULL, r.id, r.announced_on, r.announced_precision,
                    r.post_money_estimated, r.post_money_amount, r.post_money_currency,
                    r.sort_on, 1, r.id
             FROM funding_round r
             WHERE r.organization_id = h.startup_id AND r.post_money_amount IS NOT NULL
               AND NOT EXISTS (SELECT FROM valuation w WHERE w.round_id = r.id)
             ORDER BY r.sort_on DESC, r.id DESC LIMIT 1)
        ) c
        {_FX.format(currency="c.currency", on="c.valuation_on", alias="fx")}
        ORDER BY c.sort_on DESC, c.source, c.id DESC LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
        SELECT e.exited_on, e.exited_precision, e.sort_on FROM exit e
        WHERE e.investment_id = ANY(h.investment_ids)
        ORDER BY e.sort_on DESC, e.id DESC LIMIT 1
    ) le ON true
    LEFT JOIN LATERAL (
        SELECT p.category AS sector FROM product p
        WHERE p.organization_id = h.startup_id AND p.category IS NOT NULL
        GROUP BY p.category ORDER BY count(*) DESC, p.category LIMIT 1
    ) s ON true
),
held AS (SELECT * FROM valued WHERE status <> 'EXITED'),
exposure AS (
    SELECT dimension, key, count(*) AS holdings, sum(committed_usd) AS committed_usd,
           coalesce(sum(value_min) FILTER (WHERE value_max IS NOT NULL), 0) AS value_min,
           coalesce(sum(value_max) FILTER (WHERE value_min IS NOT NULL), 0) AS value_max,
           count(*) FILTER (WHERE value_min IS NULL OR value_max IS NULL) AS unvalued,
           row_number() OVER (PARTITION BY dimension ORDER BY count(*) DESC, key NULLS LAST)
               AS position
    FROM (
        SELECT 'COUNTRY' AS dimension, country AS key, * FROM held
        UNION ALL
        SELECT 'SECTOR', sector, * FROM held
    ) d
    GROUP BY dimension, key
)
SELECT 'holding' AS part, startup_id, investment_ids, rounds, leads, committed_usd,
       undisclosed, committed_estimated, stake_min, stake_max, stake_estimated, held_min,
       held_max, status, exited_on, exited_precision, valuation_basis, valuation_id,
       valuation_round_id, valuation_usd, valuation_on, valuation_precision,
       valuation_estimated, diluted, sector, value_min, value_max, NULL::text AS dimension,
       NULL::bigint AS holdings, NULL::bigint AS unvalued, NULL::bigint AS exited_holdings
FROM (SELECT * FROM held
      ORDER BY committed_usd DESC, value_max DESC NULLS LAST, name, startup_id
      LIMIT $2) top
UNION ALL
SELECT 'exited', startup_id, investment_ids, rounds, leads, committed_usd,
       undisclosed, committed_estimated, stake_min, stake_max, stake_estimated, held_min,
       held_max, status, exited_on, exited_precision, valuation_basis, valuation_id,
       valuation_round_id, valuation_usd, valuation_on, valuation_precision,
       valuation_estimated, diluted, sector, value_min, value_max, NULL, NULL, NULL, NULL
FROM (SELECT * FROM valued WHERE status = 'EXITED'
      ORDER BY exit_sort DESC, committed_usd DESC, name, startup_id
      LIMIT $2) gone
UNION ALL
SELECT 'exposure', NULL, NULL, NULL, NULL, committed_usd, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, key,
       value_min, value_max, dimension, holdings, unvalued, NULL
FROM exposure WHERE position <= {MAX_EXPOSURE_GROUPS}
UNION ALL
SELECT 'totals', NULL, NULL, sum(rounds), sum(leads), sum(committed_usd), sum(undisclosed),
       coalesce(bool_or(stake_estimated OR coalesce(valuation_estimated, false)
                        OR diluted) FILTER (WHERE value_min IS NOT NULL), false),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL,
       coalesce(sum(value_min) FILTER (WHERE value_max IS NOT NULL), 0),
       coalesce(sum(value_max) FILTER (WHERE value_min IS NOT NULL), 0), NULL,
       count(*) FILTER (WHERE status <> 'EXITED'),
       count(*) FILTER (WHERE status <> 'EXITED' AND (value_min IS NULL OR value_max IS NULL)),
       count(*) FILTER (WHERE status = 'EXITED')
FROM valued
"""


@dataclass(frozen=True, slots=True)
class LatestValuation:
    """The valuation a holding is valued at: a valuation record, or a round's post-money."""

    basis: str
    valuation_id: int | None
    round_id: int | None
    on: dt.date | None
    precision: str | None
    usd: Decimal | None
    estimated: bool


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
    held_min: Decimal | None
    held_max: Decimal | None
    stake_estimated: bool
    status: str
    exited_on: dt.date | None
    exited_precision: str | None
    valuation: LatestValuation | None
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
    exited_holding_count: int
    investment_count: int
    lead_count: int
    committed_usd: Decimal
    undisclosed_count: int
    implied_value: UsdRange
    unvalued_count: int
    holdings: list[Holding]
    exited_holdings: list[Holding]
    exposures: list[Exposure]


def _holding(row: asyncpg.Record) -> Holding:
    valuation = None
    if row["valuation_basis"] is not None:
        valuation = LatestValuation(
            basis=row["valuation_basis"],
            valuation_id=row["valuation_id"],
            round_id=row["valuation_round_id"],
            on=row["valuation_on"],
            precision=row["valuation_precision"],
            usd=row["valuation_usd"],
            estimated=bool(row["valuation_estimated"]),
        )
    value_min, value_max = row["value_min"], row["value_max"]
    return Holding(
        startup_id=row["startup_id"],
        investment_ids=list(row["investment_ids"]),
        rounds=int(row["rounds"]),
        leads=int(row["leads"]),
        committed_usd=row["committed_usd"],
        committed_estimated=bool(row["committed_estimated"]),
        undisclosed_count=int(row["undisclosed"]),
        stake_min=row["stake_min"],
        stake_max=row["stake_max"],
        held_min=row["held_min"],
        held_max=row["held_max"],
        stake_estimated=row["stake_estimated"],
        status=row["status"],
        exited_on=row["exited_on"],
        exited_precision=row["exited_precision"],
        valuation=valuation,
        diluted=bool(row["diluted"]),
        sector=row["sector"],
        implied_value=(
            None
            if value_min is None or value_max is None
            else UsdRange(
                value_min,
                value_max,
                row["stake_estimated"] or bool(row["valuation_estimated"]) or bool(row["diluted"]),
            )
        ),
    )


async def portfolio(db: Db, investor: str, first: int) -> Portfolio:
    (investor_id,) = await organization_ids(db, [investor])
    rows = await db.fetch_sql(PORTFOLIO_SQL, [investor_id, first])
    totals = next(r for r in rows if r["part"] == "totals")
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
        holding_count=int(totals["holdings"] or 0),
        exited_holding_count=int(totals["exited_holdings"] or 0),
        investment_count=int(totals["rounds"] or 0),
        lead_count=int(totals["leads"] or 0),
        committed_usd=totals["committed_usd"] or Decimal(0),
        undisclosed_count=int(totals["undisclosed"] or 0),
        implied_value=UsdRange(
            totals["value_min"], totals["value_max"], bool(totals["committed_estimated"])
        ),
        unvalued_count=int(totals["unvalued"] or 0),
        holdings=[_holding(r) for r in rows if r["part"] == "holding"],
        exited_holdings=[_holding(r) for r in rows if r["part"] == "exited"],
        exposures=exposures,
    )
