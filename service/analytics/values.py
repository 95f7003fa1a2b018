"""USD values of rounds, investments and components: kept on write, or computed for the past.

The ``usd_round``, ``usd_investment``, ``usd_component`` and ``usd_month`` tables (migration
0007) hold the values of the current rows, maintained by triggers in the transaction of every
write. They are derived data and have no history, so a read as of a recorded time computes the
same columns at query time from what the ``asof`` views show. ``value_sources`` gives the CTEs
of either, under one set of names, so that every analytic and aggregate is written once.
"""

from __future__ import annotations

import datetime as dt

from service.repository.db import Db


def as_of(db: Db) -> dt.datetime | None:
    """The recorded time the request reads as of (set on the request's session), if any."""
    value = getattr(db, "as_of", None)
    return value if isinstance(value, dt.datetime) else None


def _fx(currency: str, on: str, alias: str) -> str:
    return f"""LEFT JOIN LATERAL (
        SELECT f.usd_per_unit, f.rate_on FROM fx_rate f
        WHERE f.currency = {currency} AND f.rate_on <= coalesce({on}, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) {alias} ON true"""


# The same columns as the tables, computed from the rows the search path shows (live or as of
# a recorded time, where retired rows are already hidden: everything shown is live). {rounds}
# is a condition on `r` choosing the rounds to value.
COMPUTED = f"""
v_round_base AS (
    SELECT r.id AS round_id, true AS live, r.sort_on,
           coalesce(r.announced_precision, 'NONE') AS precision,
           round(r.raised_amount * fx.usd_per_unit, 2) AS raised_usd,
           fx.usd_per_unit AS raised_fx, fx.rate_on AS raised_fx_on,
           r.raised_estimated, r.announced_on
    FROM funding_round r
    {_fx("r.raised_currency", "r.announced_on", "fx")}
    WHERE {{rounds}}
),
v_investment AS (
    SELECT i.id AS investment_id, i.round_id, i.investor_id, true AS live, i.is_lead,
           round(i.committed_amount * fx.usd_per_unit, 2) AS committed_usd,
           fx.usd_per_unit AS committed_fx, fx.rate_on AS committed_fx_on,
           i.committed_estimated, r.announced_on
    FROM investment i
    JOIN v_round_base r ON r.round_id = i.round_id
    {_fx("i.committed_currency", "r.announced_on", "fx")}
),
v_component AS (
    SELECT c.id AS component_id, c.investment_id, iv.round_id, c.kind, true AS live,
           CASE WHEN c.value_amount IS NOT NULL THEN round(c.value_amount * fx.usd_per_unit, 2)
                WHEN c.share_min IS NOT NULL THEN round(c.share_min * iv.committed_usd, 2)
           END AS usd_min,
           CASE WHEN c.value_amount IS NOT NULL THEN round(c.value_amount * fx.usd_per_unit, 2)
                WHEN c.share_max IS NOT NULL THEN round(c.share_max * iv.committed_usd, 2)
           END AS usd_max,
           c.estimated OR c.value_estimated
               OR (c.value_amount IS NULL AND iv.committed_estimated) AS estimated,
           CASE WHEN c.value_amount IS NOT NULL THEN fx.usd_per_unit ELSE iv.committed_fx END
               AS value_fx,
           CASE WHEN c.value_amount IS NOT NULL THEN fx.rate_on ELSE iv.committed_fx_on END
               AS value_fx_on
    FROM consideration_component c
    JOIN v_investment iv ON iv.investment_id = c.investment_id
    {_fx("c.value_currency", "iv.announced_on", "fx")}
),
v_round AS (
    SELECT r.round_id, r.live, r.sort_on, r.precision, r.raised_usd, r.raised_fx, r.raised_fx_on,
           r.raised_estimated,
           coalesce(m.cash_min, 0) AS cash_min, coalesce(m.cash_max, 0) AS cash_max,
           coalesce(m.other_min, 0) AS other_min, coalesce(m.other_max, 0) AS other_max
    FROM v_round_base r
    LEFT JOIN (
        SELECT round_id,
               sum(usd_min) FILTER (WHERE kind = 'CASH') AS cash_min,
               sum(usd_max) FILTER (WHERE kind = 'CASH') AS cash_max,
               sum(usd_min) FILTER (WHERE kind <> 'CASH') AS other_min,
               sum(usd_max) FILTER (WHERE kind <> 'CASH') AS other_max
        FROM v_component WHERE usd_min IS NOT NULL AND usd_max IS NOT NULL
        GROUP BY round_id
    ) m ON m.round_id = r.round_id
)"""

# The kept values of the live rows; not materialized, so that each use reads the tables
# through their indexes instead of a copy of all of them.
STORED = """
v_round AS NOT MATERIALIZED (
    SELECT v.* FROM usd_round v WHERE v.live AND {rounds_of_v}
),
v_investment AS NOT MATERIALIZED (
    SELECT v.* FROM usd_investment v WHERE v.live AND {rounds_of_v}
),
v_component AS NOT MATERIALIZED (
    SELECT v.* FROM usd_component v WHERE v.live AND {rounds_of_v}
)"""

MONTHS_COMPUTED = """
v_month AS (
    SELECT date_trunc('month', sort_on)::date AS month, precision, count(*) AS rounds,
           count(raised_usd) AS valued,
           count(*) FILTER (WHERE raised_usd IS NOT NULL AND raised_estimated) AS estimated,
           coalesce(sum(raised_usd), 0) AS raised_usd, sum(cash_min) AS cash_min,
           sum(cash_max) AS cash_max, sum(other_min) AS other_min, sum(other_max) AS other_max
    FROM v_round GROUP BY 1, precision
)"""


def value_sources(stored: bool, rounds: str = "true") -> str:
    """CTEs ``v_round``, ``v_investment``, ``v_component`` (columns of the usd_* tables) for the
    rounds ``rounds`` (a condition on ``r``, a funding round) keeps: the kept values when
    ``stored``, else computed now from the rows the search path shows."""
    if stored:
        rounds_of_v = (
            "true"
            if rounds == "true"
            else f"v.round_id IN (SELECT r.id FROM funding_round r WHERE {rounds})"
        )
        return STORED.format(rounds_of_v=rounds_of_v)
    return COMPUTED.format(rounds=rounds)


def month_source(stored: bool) -> str:
    """CTE ``v_month`` (the rollup of every live round): the kept rollup or, computed, over
    ``value_sources(False)``, which must precede it."""
    if stored:
        return "v_month AS (SELECT * FROM usd_month)"
    return MONTHS_COMPUTED
