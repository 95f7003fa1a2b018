"""Aggregates and league tables answered from the kept rollup (``usd_cell``, migration 0025).

A cell holds the totals of the units of one *family* in one *block*: the month a round falls in
with its date precision (its date itself when known only to a quarter or a year), its round
type, its organization's country and whether that organization is live. A group of an
aggregate over every row is a sum of cells of the family its grouping counts by, so the answer
reads a few thousand cells instead of every round, investment and component. The triggers that
keep the USD values keep the cells in the same transaction (docs/analytics.md).

Only what the cells can answer exactly comes here: no filter, the current data (as of a
recorded time the values are computed from the history), and for league tables a period ending
on a month's last day. Everything else takes the row path, and tests compare both.
"""

from __future__ import annotations

from dataclasses import dataclass

INVESTMENTS, KIND, INVESTOR, LEAD = 1, 2, 4, 8

_RANK = "CASE {p} WHEN 'DAY' THEN 0 WHEN 'MONTH' THEN 1 WHEN 'QUARTER' THEN 2 ELSE 3 END"


@dataclass(frozen=True, slots=True)
class Shape:
    """What an aggregate groups by, as the rollup needs it."""

    investments: bool
    period: str | None  # 'month' | 'quarter' | 'year'
    period_rank: int
    round_type: bool
    country: bool
    kind: bool
    investor: bool
    lead: bool

    @property
    def family(self) -> int:
        """The cells' family: which units a group counts (service/analytics/aggregates.py).

        A round counts once per investor (one investment: an investor joins a round once)
        with the lead flag of that investment, and an investment has one investor and one flag,
        so those families carry the flag whatever the grouping."""
        family = INVESTMENTS if self.investments else 0
        if self.kind:
            family |= KIND
        if self.investor:
            family |= INVESTOR
        elif self.lead and not self.investments:
            family |= LEAD
        return family


def _source(shape: Shape) -> tuple[str, dict[str, str], str]:
    """The table a shape reads, its period keys and its condition. By investor, without round
    type or country, the cells summed per investor and year (or of all time) answer."""
    period: dict[str, str] = {"p_start": "NULL::date", "p_precision": "NULL::text"}
    by_investor = shape.investor and not (shape.round_type or shape.country)
    if by_investor and shape.period is None:
        return "usd_investor_total", period, ""
    if by_investor and shape.period == "year":
        # Every dated round is certain in its year.
        period = {
            "p_start": "CASE WHEN c.dated THEN c.year_on END",
            "p_precision": "CASE WHEN c.dated THEN 'YEAR' END",
        }
        return "usd_investor_year", period, ""
    if shape.period is not None:
        certain = f"{_RANK.format(p='c.precision')} <= {shape.period_rank}"
        period = {
            "p_start": (
                f"CASE WHEN c.precision = 'NONE' THEN NULL WHEN {certain} "
                f"THEN date_trunc('{shape.period}', c.period_on::timestamp)::date "
                "ELSE c.period_on END"
            ),
            "p_precision": (
                f"CASE WHEN c.precision = 'NONE' THEN NULL WHEN {certain} "
                f"THEN '{shape.period.upper()}' ELSE c.precision END"
            ),
        }
    if not (shape.investor or shape.round_type or shape.country):
        return "usd_cell_month", period, ""
    # The row path reaches a country through the live organizations only.
    return "usd_cell", period, " AND c.org_live" if shape.country else ""


def cell_groups(shape: Shape) -> str:
    """CTE ``groups`` (the columns the row path's ``groups`` has) from the cells."""
    table, period, condition = _source(shape)
    keys = {
        **period,
        "round_type": "c.round_type" if shape.round_type else "NULL::text",
        "country": "nullif(c.country, '')" if shape.country else "NULL::text",
        "kind": "c.kind" if shape.kind else "NULL::text",
        "investor_id": (
            ("c.investor_id" if table == "usd_cell" else "nullif(c.investor_id, 0)")
            if shape.investor
            else "NULL::bigint"
        ),
        "is_lead": "c.is_lead" if shape.lead else "NULL::boolean",
    }
    names = ", ".join(keys)
    return f"""
cells AS (
    SELECT {", ".join(f"{sql} AS {name}" for name, sql in keys.items())},
           c.units, c.unvalued, c.amount_min, c.amount_max, c.estimated, c.smallest, c.largest
    FROM {table} c
    WHERE c.family = {shape.family}{condition}
),
groups AS (
    SELECT {names}, sum(units) AS n, sum(unvalued) AS unvalued,
           coalesce(sum(amount_min), 0) AS amount_min,
           coalesce(sum(amount_max), 0) AS amount_max,
           coalesce(bool_or(estimated), false) AS estimated,
           min(smallest) AS smallest, max(largest) AS largest,
           -- avg() divides the same exact sum by the same count.
           round(sum(amount_min) / nullif(sum(units) - sum(unvalued), 0), 2) AS average_min,
           round(sum(amount_max) / nullif(sum(units) - sum(unvalued), 0), 2) AS average_max
    FROM cells GROUP BY {names}
)"""


# League tables over every round, from the cells of investments per investor: $1 the interval,
# $2 its rank, $3/$4 the period (its end a month's last day; by year from the yearly investor
# cells when it ends a year), $5 the ranking, $6 how many. The periods are those with a certain
# round (the monthly rollup knows them), as on the row path, whether or not their rounds have
# investors.
def league_sql(max_periods: int, yearly: bool) -> str:
    if yearly:
        deals_from = f"""
    SELECT c.year_on AS bucket, c.investor_id, {{totals}}
    FROM usd_investor_year c
    WHERE c.family = {INVESTMENTS | INVESTOR} AND c.dated
      AND ($3::date IS NULL OR c.year_on >= date_trunc('year', $3::date::timestamp))
      AND ($4::date IS NULL OR c.year_on <= $4::date)
    GROUP BY c.year_on, c.investor_id"""
    else:
        deals_from = f"""
    SELECT date_trunc($1, c.period_on::timestamp)::date AS bucket, c.investor_id, {{totals}}
    FROM usd_cell c
    WHERE c.family = {INVESTMENTS | INVESTOR}
      AND c.precision <> 'NONE' AND {_RANK.format(p="c.precision")} <= $2
      AND ($3::date IS NULL OR c.period_on >= date_trunc($1, $3::date::timestamp))
      AND ($4::date IS NULL OR c.period_on <= $4::date)
    GROUP BY 1, c.investor_id"""
    totals = (
        "sum(c.units) AS deals, coalesce(sum(c.units) FILTER (WHERE c.is_lead), 0) AS leads, "
        "coalesce(sum(c.amount_min), 0) AS amount, sum(c.unvalued) AS undisclosed, "
        "coalesce(bool_or(c.estimated), false) AS estimated"
    )
    month_certain = _RANK.format(p="m.precision")
    return f"""
WITH deals AS ({deals_from.format(totals=totals)}
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
  AND bucket IN (
    SELECT DISTINCT date_trunc($1, m.month::timestamp)::date FROM usd_month m
    WHERE m.precision <> 'NONE' AND {month_certain} <= $2
      AND ($3::date IS NULL OR m.month >= date_trunc($1, $3::date::timestamp))
      AND ($4::date IS NULL OR m.month <= $4::date)
    ORDER BY 1 LIMIT {max_periods + 1})
ORDER BY bucket, position
"""
