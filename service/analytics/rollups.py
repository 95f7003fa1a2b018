"""Aggregates and league tables answered from the kept rollup (``usd_cell``, migration 0025).

A cell holds the totals of the units of one *family* in one *block*: the month a round falls in
with its date precision (its date itself when known only to a quarter or a year), its round
type, its organization's country and whether that organization is live. A group of an
aggregate over every row is a sum of cells of the family its grouping counts by, so the answer
reads a few thousand cells instead of every round, investment and component. The triggers that
keep the USD values keep the cells in the same transaction (docs/analytics.md).

Grouped by investor and one other dimension there is about a group per investment: those
groups are kept whole (``usd_investor_group``, migration 0031), with their count, so a page is
an index range; their yearly groups of investments are also the yearly league tables.

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


# Dimensions of usd_investor_group (migration 0031): the periods by rank, then these.
_ROUND_TYPE_DIM, _COUNTRY_DIM = 4, 5
# Its index order for each ordering of the aggregates: the keys not in a shape are null in
# every row of it, so they need not be named.
_GROUP_ORDER = {
    "KEYS": "",
    "COUNT": "c.units DESC, ",
    "AMOUNT": "c.amount_max DESC, c.amount_min DESC, c.units DESC, ",
}


def investor_group_page(shape: Shape, order: str) -> str | None:
    """A page of the groups of an investor and one other dimension (a period, round type or
    country), read in the order of an index of ``usd_investor_group`` with their count kept
    beside them ($1 how many, $2 from where); None for any other shape."""
    others = [shape.period is not None, shape.round_type, shape.country]
    if not shape.investor or shape.kind or shape.lead or sum(others) != 1:
        return None
    if shape.period is not None:
        dim = shape.period_rank
    else:
        dim = _ROUND_TYPE_DIM if shape.round_type else _COUNTRY_DIM
    family = shape.family
    return f"""
SELECT c.p_start, c.p_precision, c.round_type, c.country, NULL::text AS kind, c.investor_id,
       NULL::boolean AS is_lead, c.units AS n, c.unvalued, c.amount_min, c.amount_max,
       c.estimated, c.smallest, c.largest,
       round(c.amount_min / nullif(c.units - c.unvalued, 0), 2) AS average_min,
       round(c.amount_max / nullif(c.units - c.unvalued, 0), 2) AS average_max,
       (SELECT sum(n.groups) FROM usd_investor_group_count n
        WHERE n.family = {family} AND n.dim = {dim}) AS total
FROM usd_investor_group c
WHERE c.family = {family} AND c.dim = {dim}
ORDER BY {_GROUP_ORDER[order]}c.p_start, c.p_precision, c.round_type, c.country, c.investor_id
LIMIT $1 OFFSET $2
"""


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


# League tables over every round by month or quarter, from the cells of investments per
# investor (by year: `yearly_league_sql`): $1 the interval, $2 its rank, $3/$4 the period (its
# end a month's last day), $5 the ranking, $6 how many. The periods are those with a certain
# round (the monthly rollup knows them), as on the row path, whether or not their rounds have
# investors.
def league_sql(max_periods: int) -> str:
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


# The order of each ranking, as the row path ranks (service/analytics/series.py), which an
# index of the yearly groups of investments follows (migration 0031).
_LEAGUE_ORDER = {
    "COUNT": "c.units DESC, c.amount_min DESC, c.investor_id",
    "LEADS": "c.leads DESC, c.units DESC, c.amount_min DESC, c.investor_id",
    "AMOUNT": "c.amount_min DESC, c.units DESC, c.investor_id",
}


def yearly_league_sql(max_periods: int, ranking: str) -> str:
    """League tables by year over every round, from the groups of investments by investor and
    year (``usd_investor_group``): per year the top $3 in the order of the ranking's index, and
    how many investors the year has from the kept counts. $1/$2 the period (its end a year's
    last day). The years are those with a certain round, as on the row path."""
    order = _LEAGUE_ORDER[ranking]
    family, year = INVESTMENTS | INVESTOR, 3
    return f"""
WITH buckets AS (
    SELECT DISTINCT date_trunc('year', m.month::timestamp)::date AS bucket FROM usd_month m
    WHERE m.precision <> 'NONE'
      AND ($1::date IS NULL OR m.month >= date_trunc('year', $1::date::timestamp))
      AND ($2::date IS NULL OR m.month <= $2::date)
    ORDER BY 1 LIMIT {max_periods + 1}
)
SELECT b.bucket, n.groups AS investors, t.*
FROM buckets b
JOIN usd_investor_group_count n ON n.family = {family} AND n.dim = {year} AND n.part = b.bucket
CROSS JOIN LATERAL (
    SELECT c.investor_id, c.units AS deals, c.leads, c.amount_min AS amount,
           c.unvalued AS undisclosed, c.estimated,
           row_number() OVER (ORDER BY {order}) AS position
    FROM (
        SELECT * FROM usd_investor_group c
        WHERE c.family = {family} AND c.dim = {year} AND c.p_start = b.bucket
        ORDER BY {order} LIMIT $3
    ) c
) t
ORDER BY b.bucket, t.position
"""
