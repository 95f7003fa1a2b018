"""Totals of rounds or investments grouped the caller's way, in one SQL statement.

The rows counted are those the read API's filter keeps (``FundingRoundFilter`` or
``InvestmentFilter``, compiled by the repository); the USD figures come from the values kept on
write (service/analytics/values.py), or from the history when reading as of a recorded time.

Grouping rules:

* A period (month, quarter or year) groups a round by the period its date falls in. A round
  dated more coarsely than the period (a year, grouped by quarter) cannot be placed in one: it
  forms a group of its own period and precision, as the time series count it only in the
  maximum of the periods it overlaps. Undated rounds form the group with no period.
* By consideration kind, an amount is split by component value: a group holds the USD range
  of the components of that kind (Alibaba's USD 800 million in Moonshot AI: cash 400-480
  million, cloud credits 320-400 million). Rows with no known consideration form the group
  with no kind, with their whole amount.
* By investor or lead flag, a round counts once in each group of an investor that joined it
  (with the round's amount); rounds without investors form the group with no investor. The
  investors grouped by are organizations: angels (people) are left out of investor groupings,
  so a round only angels joined falls in the group with no investor, and angel investments
  are not counted when investments are grouped by investor. Grouped by lead flag alone, an
  angel's investment counts like any other.

Per group: how many rounds (or investments), the USD sum as a range, how many could not be
valued (then they are in the count but not in the sum), and the smallest, largest and average
size of those valued.
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
from service.analytics.common import AnalyticsInputError, UsdRange, embed, interactive
from service.analytics.values import as_of, value_sources
from service.repository.db import Db

MAX_GROUP_BY = 4


class GroupBy(StrEnum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"
    ROUND_TYPE = "ROUND_TYPE"
    COUNTRY = "COUNTRY"
    CONSIDERATION_KIND = "CONSIDERATION_KIND"
    INVESTOR = "INVESTOR"
    LEAD = "LEAD"


class AggregateOrder(StrEnum):
    KEYS = "KEYS"
    COUNT = "COUNT"
    AMOUNT = "AMOUNT"


class Unit(StrEnum):
    ROUNDS = "ROUNDS"
    INVESTMENTS = "INVESTMENTS"


PERIODS = {GroupBy.MONTH: 1, GroupBy.QUARTER: 2, GroupBy.YEAR: 3}
_RANK = "CASE {p} WHEN 'DAY' THEN 0 WHEN 'MONTH' THEN 1 WHEN 'QUARTER' THEN 2 ELSE 3 END"


@dataclass(frozen=True, slots=True)
class GroupKey:
    period_start: dt.date | None = None
    period_precision: str | None = None
    round_type: str | None = None
    country: str | None = None
    kind: str | None = None
    investor_id: int | None = None
    is_lead: bool | None = None


@dataclass(frozen=True, slots=True)
class Group:
    key: GroupKey
    count: int
    unvalued_count: int
    amount: UsdRange
    smallest: Decimal | None
    largest: Decimal | None
    average: UsdRange | None


@dataclass(frozen=True, slots=True)
class Groups:
    total: int
    offset: int
    groups: list[Group]
    has_next: bool


def _checked(group_by: list[GroupBy]) -> list[GroupBy]:
    if len(set(group_by)) != len(group_by):
        raise AnalyticsInputError("`groupBy` names a dimension twice.")
    if len(group_by) > MAX_GROUP_BY:
        raise AnalyticsInputError(f"`groupBy` takes at most {MAX_GROUP_BY} dimensions.")
    if sum(1 for g in group_by if g in PERIODS) > 1:
        raise AnalyticsInputError("`groupBy` takes one period: MONTH, QUARTER or YEAR.")
    return group_by


def _tail(order: AggregateOrder) -> str:
    """The page of ``groups`` in ``order``, with how many groups there are."""
    ordering = {
        AggregateOrder.KEYS: "",
        AggregateOrder.COUNT: "n DESC, ",
        AggregateOrder.AMOUNT: "amount_max DESC, amount_min DESC, n DESC, ",
    }[order]
    return f"""
SELECT g.*, count(*) OVER () AS total
FROM groups g
ORDER BY {ordering}p_start NULLS LAST, p_precision, round_type NULLS LAST, country NULLS LAST,
         kind NULLS LAST, investor_id NULLS LAST, is_lead DESC NULLS LAST
LIMIT $1 OFFSET $2
"""


def _shape(unit: Unit, group_by: list[GroupBy]) -> rollups.Shape:
    period = next((g for g in group_by if g in PERIODS), None)
    return rollups.Shape(
        investments=unit is Unit.INVESTMENTS,
        period=None if period is None else period.value.lower(),
        period_rank=0 if period is None else PERIODS[period],
        round_type=GroupBy.ROUND_TYPE in group_by,
        country=GroupBy.COUNTRY in group_by,
        kind=GroupBy.CONSIDERATION_KIND in group_by,
        investor=GroupBy.INVESTOR in group_by,
        lead=GroupBy.LEAD in group_by,
    )


def _sql(unit: Unit, group_by: list[GroupBy], order: AggregateOrder, filtered: bool) -> str:
    dims = set(group_by)
    by_investment = unit is Unit.INVESTMENTS or bool(dims & {GroupBy.INVESTOR, GroupBy.LEAD})
    # Angels (investor_id null, a person instead) stay out of groupings by investor.
    by_investor = GroupBy.INVESTOR in dims
    split = GroupBy.CONSIDERATION_KIND in dims
    keys: list[str] = []
    joins: list[str] = []
    if unit is Unit.ROUNDS:
        source = "v_round v"
        unit_id = "v.round_id"
        base_amount = "v.raised_usd"
        base_estimated = "v.raised_estimated"
        if by_investment:
            organizations = " AND i.investor_id IS NOT NULL" if by_investor else ""
            joins.append(f"LEFT JOIN v_investment i ON i.round_id = v.round_id{organizations}")
    else:
        source = "v_investment i JOIN v_round v ON v.round_id = i.round_id"
        unit_id = "i.investment_id"
        base_amount = "i.committed_usd"
        base_estimated = "i.committed_estimated"
    period = next((g for g in group_by if g in PERIODS), None)
    if period is not None:
        interval = period.value.lower()
        certain = f"{_RANK.format(p='v.precision')} <= {PERIODS[period]}"
        keys.append(
            f"CASE WHEN v.precision = 'NONE' THEN NULL WHEN {certain} "
            f"THEN date_trunc('{interval}', v.sort_on::timestamp)::date ELSE v.sort_on END"
        )
        keys.append(
            f"CASE WHEN v.precision = 'NONE' THEN NULL WHEN {certain} THEN '{period.value}' "
            "ELSE v.precision END"
        )
    else:
        keys += ["NULL::date", "NULL::text"]
    if GroupBy.ROUND_TYPE in dims or GroupBy.COUNTRY in dims:
        joins.append("JOIN funding_round r ON r.id = v.round_id")
    keys.append("r.round_type" if GroupBy.ROUND_TYPE in dims else "NULL::text")
    if GroupBy.COUNTRY in dims:
        joins.append("JOIN organization o ON o.id = r.organization_id")
    keys.append("o.country" if GroupBy.COUNTRY in dims else "NULL::text")
    if split:
        scope = "c.investment_id = i.investment_id" if by_investment else "c.round_id = v.round_id"
        joins.append(f"""LEFT JOIN LATERAL (
            SELECT c.kind, sum(c.usd_min) AS usd_min, sum(c.usd_max) AS usd_max,
                   bool_or(c.estimated) AS estimated
            FROM v_component c WHERE {scope} GROUP BY c.kind
        ) k ON true""")
        keys.append("k.kind")
        # Component sums add up over the investments of one round; a whole amount counts once.
        low = f"CASE WHEN k.kind IS NULL THEN {base_amount} ELSE k.usd_min END"
        high = f"CASE WHEN k.kind IS NULL THEN {base_amount} ELSE k.usd_max END"
        estimated = f"CASE WHEN k.kind IS NULL THEN {base_estimated} ELSE k.estimated END"
        combine_low = "CASE WHEN bool_or(kind IS NULL) THEN max(low) ELSE sum(low) END"
        combine_high = "CASE WHEN bool_or(kind IS NULL) THEN max(high) ELSE sum(high) END"
    else:
        keys.append("NULL::text")
        low = high = base_amount
        estimated = base_estimated
        combine_low, combine_high = "max(low)", "max(high)"
    keys.append("i.investor_id" if GroupBy.INVESTOR in dims else "NULL::bigint")
    keys.append("i.is_lead" if GroupBy.LEAD in dims else "NULL::boolean")
    names = ["p_start", "p_precision", "round_type", "country", "kind", "investor_id", "is_lead"]
    key_list = ", ".join(names)
    conditions = []
    if filtered and unit is Unit.INVESTMENTS:
        conditions.append("i.investment_id IN (SELECT id FROM ids)")
    if by_investor and unit is Unit.INVESTMENTS:
        conditions.append("i.investor_id IS NOT NULL")
    where = " AND ".join(conditions) or "true"
    return f"""
rows AS (
    SELECT {unit_id} AS unit_id,
           {", ".join(f"{k} AS {n}" for k, n in zip(keys, names, strict=True))},
           {low} AS low, {high} AS high, {estimated} AS estimated
    FROM {source}
    {" ".join(joins)}
    WHERE {where}
),
units AS (
    SELECT {key_list}, unit_id,
           {combine_low} AS low, {combine_high} AS high,
           bool_and(low IS NOT NULL AND high IS NOT NULL) AS valued,
           bool_or(estimated) AS estimated
    FROM rows GROUP BY {key_list}, unit_id
),
groups AS (
    SELECT {key_list}, count(*) AS n,
           count(*) FILTER (WHERE NOT valued) AS unvalued,
           coalesce(sum(low) FILTER (WHERE valued), 0) AS amount_min,
           coalesce(sum(high) FILTER (WHERE valued), 0) AS amount_max,
           coalesce(bool_or(estimated) FILTER (WHERE valued), false) AS estimated,
           min(low) FILTER (WHERE valued) AS smallest,
           max(high) FILTER (WHERE valued) AS largest,
           round(avg(low) FILTER (WHERE valued), 2) AS average_min,
           round(avg(high) FILTER (WHERE valued), 2) AS average_max
    FROM units GROUP BY {key_list}
)
{_tail(order)}"""


async def aggregate(
    db: Db,
    unit: Unit,
    chosen: Select[Any] | None,
    group_by: list[GroupBy],
    order: AggregateOrder,
    first: int,
    offset: int,
    *,
    rollup: bool = True,
) -> Groups:
    """Groups of the rows ``chosen`` selects (the filtered select of rounds or investments, only
    its ids are used; None for all), ``first`` of them from ``offset`` in ``order``. Over every
    row of the current data the kept rollup answers (``rollup=False`` reads the rows, which
    the tests compare it with)."""
    await interactive(db)
    _checked(group_by)
    filtered = chosen is not None
    if rollup and not filtered and as_of(db) is None:
        shape = _shape(unit, group_by)
        page = rollups.investor_group_page(shape, order.value)
        sql = page or f"WITH {rollups.cell_groups(shape)} {_tail(order)}"
        return _groups(await db.fetch_sql(sql, [first + 1, offset]), first, offset)
    if not filtered:
        rounds = "true"
    elif unit is Unit.ROUNDS:
        rounds = "r.id IN (SELECT id FROM ids)"
    else:
        rounds = "r.id IN (SELECT round_id FROM investment WHERE id IN (SELECT id FROM ids))"
    ids = "ids AS ({sub})," if filtered else ""
    template = (
        f"WITH {ids} {value_sources(as_of(db) is None, rounds)}, "
        f"{_sql(unit, group_by, order, filtered)}"
    )
    args: list[Any] = [first + 1, offset]
    if chosen is None:
        sql = template
    else:
        sql, args = embed(chosen.with_only_columns(chosen.selected_columns.id), template, args)
    return _groups(await db.fetch_sql(sql, args), first, offset)


def _groups(rows: list[asyncpg.Record], first: int, offset: int) -> Groups:
    groups = [
        Group(
            key=GroupKey(
                period_start=r["p_start"],
                period_precision=r["p_precision"],
                round_type=r["round_type"],
                country=r["country"],
                kind=r["kind"],
                investor_id=r["investor_id"],
                is_lead=r["is_lead"],
            ),
            count=int(r["n"]),
            unvalued_count=int(r["unvalued"]),
            amount=UsdRange(r["amount_min"], r["amount_max"], r["estimated"]),
            smallest=r["smallest"],
            largest=r["largest"],
            average=(
                None
                if r["average_min"] is None
                else UsdRange(r["average_min"], r["average_max"], r["estimated"])
            ),
        )
        for r in rows[:first]
    ]
    total = int(rows[0]["total"]) if rows else 0
    return Groups(total=total, offset=offset, groups=groups, has_next=len(rows) > first)
