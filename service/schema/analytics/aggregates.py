"""Grouped totals of rounds and investments over the same filters as their lists."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

import strawberry

from service.analytics import aggregates as a
from service.repository.rounds import FUNDING_ROUND, INVESTMENT
from service.schema.analytics.common import (
    answer,
    first_of,
    organization_of,
    usd_range,
)
from service.schema.common import ConsiderationKind, DatePrecision, RoundType, UsdAmountRange
from service.schema.context import Info
from service.schema.costs import cost
from service.schema.filters import (
    FundingRoundFilter,
    InvestmentFilter,
    investment_filter_node,
    to_node,
)
from service.schema.history import AsOf
from service.schema.organizations import Organization
from service.schema.relay import PageInfo, user_error
from service.values import format_decimal

AggregateGroupBy = a.GroupBy
strawberry.enum(
    AggregateGroupBy,
    name="AggregateGroupBy",
    description="A dimension to group totals by: a period (MONTH, QUARTER or YEAR, one at a "
    "time), the round's type, the raising organization's country, the consideration kind, "
    "the investor, or whether the investment led its round.",
)
AggregateOrder = a.AggregateOrder
strawberry.enum(
    AggregateOrder,
    description="KEYS: by the group's values, periods oldest first; COUNT: most rows first; "
    "AMOUNT: largest USD sum first (by its max).",
)

DEFAULT_GROUPS = 20
CURSOR_PREFIX = "aggregate:"


@strawberry.type(description="The period of a group.")
class AggregatePeriod:
    start: dt.date = strawberry.field(description="First day of the period.")
    end: dt.date = strawberry.field(description="Last day of the period.")
    precision: DatePrecision = strawberry.field(
        description="The grouping's period, or a coarser one for rounds dated only to it (a "
        "round known only by its year, grouped by quarter, forms a YEAR group of its own)."
    )


def _period_end(start: dt.date, precision: str) -> dt.date:
    months = {"DAY": 0, "MONTH": 1, "QUARTER": 3, "YEAR": 12}[precision]
    if months == 0:
        return start
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


@strawberry.type(
    description="One group: its values of the `groupBy` dimensions (null for a dimension not "
    "grouped by, or for rows without a value: undated rounds, unknown country or "
    "consideration, rounds without investors) and its totals."
)
class AggregateGroup:
    period: AggregatePeriod | None = strawberry.field(description="Its period.")
    round_type: RoundType | None = strawberry.field(description="Its round type.")
    country: str | None = strawberry.field(description="Its raising organization's country.")
    consideration_kind: ConsiderationKind | None = strawberry.field(
        description="Its consideration kind: amounts are the components of this kind."
    )
    is_lead: bool | None = strawberry.field(description="Whether the investment led its round.")
    count: int = strawberry.field(description="Rounds (or investments) in the group.")
    unvalued_count: int = strawberry.field(
        description="Of those, how many have no USD value (no amount, share or FX rate): "
        "counted, not in the sums."
    )
    amount_usd: UsdAmountRange = strawberry.field(
        description="Sum in USD of the valued ones, as a range."
    )
    smallest_usd: str | None = strawberry.field(
        description="The least USD lower bound of one valued row."
    )
    largest_usd: str | None = strawberry.field(
        description="The greatest USD upper bound of one valued row."
    )
    average_usd: UsdAmountRange | None = strawberry.field(
        description="Average USD value of the valued rows, as a range."
    )
    _investor: strawberry.Private[int | None]

    @strawberry.field(description="Its investor, when grouped by INVESTOR.")
    async def investor(self, info: Info) -> Organization | None:
        return None if self._investor is None else await organization_of(info, self._investor)


@strawberry.type(
    description="A page of groups. Not a connection: a group has no identity of its own, so "
    "pages are by position (`after` an `endCursor`)."
)
class AggregateGroups:
    nodes: list[AggregateGroup] = strawberry.field(description="The groups of this page.")
    page_info: PageInfo = strawberry.field(description="Paging.")
    total_count: int = strawberry.field(description="Groups in all.")


def _group(g: a.Group) -> AggregateGroup:
    k = g.key
    period = None
    if k.period_start is not None and k.period_precision is not None:
        period = AggregatePeriod(
            start=k.period_start,
            end=_period_end(k.period_start, k.period_precision),
            precision=DatePrecision(k.period_precision),
        )
    return AggregateGroup(
        period=period,
        round_type=None if k.round_type is None else RoundType(k.round_type),
        country=k.country,
        consideration_kind=None if k.kind is None else ConsiderationKind(k.kind),
        is_lead=k.is_lead,
        count=g.count,
        unvalued_count=g.unvalued_count,
        amount_usd=usd_range(g.amount),
        smallest_usd=None if g.smallest is None else format_decimal(g.smallest),
        largest_usd=None if g.largest is None else format_decimal(g.largest),
        average_usd=None if g.average is None else usd_range(g.average),
        _investor=k.investor_id,
    )


def _cursor(offset: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    try:
        text = base64.b64decode(after, validate=True).decode()
        if text.startswith(CURSOR_PREFIX) and text[len(CURSOR_PREFIX) :].isdigit():
            return int(text[len(CURSOR_PREFIX) :])
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise user_error(f"`after` is not a cursor of these groups: {after!r}.")


def _page(found: a.Groups) -> AggregateGroups:
    nodes = [_group(g) for g in found.groups]
    last = found.offset + len(nodes)
    return AggregateGroups(
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=found.has_next,
            has_previous_page=found.offset > 0,
            start_cursor=_cursor(found.offset + 1) if nodes else None,
            end_cursor=_cursor(last) if nodes else None,
        ),
        total_count=found.total,
    )


GROUPING = (
    "`groupBy` (1-4 dimensions, one period at most) chooses the groups; rows are those "
    "`filter` keeps, exactly as the list does. A period groups rounds by their date; rounds "
    "dated more coarsely form groups of their own coarser period, undated ones the group "
    "without a period. By CONSIDERATION_KIND amounts split by component value. Groups come "
    "`orderBy` (default KEYS), `first` (1-100, default 20) per page after the cursor `after`; "
    "each group counts as two nodes in the query limits. USD figures are those kept on every "
    "write, or computed from the history when read `asOf` a recorded time."
)


def _rows_cost(arguments: Any) -> int:
    value = arguments.get("first")
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_GROUPS


@strawberry.type
class AggregatesQuery:
    @strawberry.field(
        description="Totals of funding rounds by group: how many, how much in USD (a range), "
        f"how many unvalued, smallest, largest and average round. {GROUPING}",
        metadata=cost(weight=2, items=_rows_cost),
    )
    async def funding_rounds_aggregate(
        self,
        info: Info,
        group_by: list[AggregateGroupBy],
        filter: FundingRoundFilter | None = None,
        order_by: AggregateOrder = AggregateOrder.KEYS,
        first: int | None = None,
        after: str | None = None,
        as_of: AsOf = None,
    ) -> AggregateGroups:
        limit = first_of(first, DEFAULT_GROUPS)
        offset = _offset(after)
        chosen = None if filter is None else FUNDING_ROUND.filtered(to_node(filter))
        found = await answer(
            lambda: a.aggregate(
                info.context.db, a.Unit.ROUNDS, chosen, list(group_by), order_by, limit, offset
            )
        )
        return _page(found)

    @strawberry.field(
        description="Totals of investments by group: how many, how much committed in USD (a "
        "range), how many unvalued, smallest, largest and average investment. "
        f"{GROUPING}",
        metadata=cost(weight=2, items=_rows_cost),
    )
    async def investments_aggregate(
        self,
        info: Info,
        group_by: list[AggregateGroupBy],
        filter: InvestmentFilter | None = None,
        order_by: AggregateOrder = AggregateOrder.KEYS,
        first: int | None = None,
        after: str | None = None,
        as_of: AsOf = None,
    ) -> AggregateGroups:
        limit = first_of(first, DEFAULT_GROUPS)
        offset = _offset(after)
        chosen = None if filter is None else INVESTMENT.filtered(investment_filter_node(filter))
        found = await answer(
            lambda: a.aggregate(
                info.context.db,
                a.Unit.INVESTMENTS,
                chosen,
                list(group_by),
                order_by,
                limit,
                offset,
            )
        )
        return _page(found)
