"""Funding over time and investor league tables."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import strawberry

from service.analytics import series as s
from service.repository.rounds import FUNDING_ROUND
from service.schema.analytics import weights
from service.schema.analytics.common import (
    answer,
    first_of,
    organization_of,
    period_of,
    share,
    usd_range,
)
from service.schema.common import (
    ShareRange,
    UsdAmountRange,
)
from service.schema.context import Info
from service.schema.filters import DateRangeFilter, FundingRoundFilter, to_node
from service.schema.history import AsOf
from service.schema.organizations import Organization

T = TypeVar("T")


# --- time series and league tables -------------------------------------------------------

Interval = s.Interval
strawberry.enum(Interval, description="The length of a period in a series.")
LeagueRanking = s.LeagueRanking
strawberry.enum(LeagueRanking, description="What a league table ranks investors by.")


@strawberry.type(description="Funding in one period.")
class FundingPeriod:
    start: dt.date = strawberry.field(description="First day of the period.")
    end: dt.date = strawberry.field(description="Last day of the period.")
    round_count: int = strawberry.field(description="Rounds certainly dated in the period.")
    possible_round_count: int = strawberry.field(
        description="Also counting rounds dated only to a coarser period that overlaps it."
    )
    raised_usd: UsdAmountRange = strawberry.field(
        description="Amount raised in USD: min over the rounds certainly in the period, max "
        "also over those that may be; undisclosed amounts are not in it."
    )
    undisclosed_count: int = strawberry.field(
        description="Rounds certainly in the period with no disclosed amount."
    )
    non_cash_share: ShareRange | None = strawberry.field(
        description="Share of the valued consideration paid in anything but cash, as a range "
        "over what the share ranges allow; null if nothing is valued."
    )


@strawberry.type(description="Funding over time.")
class FundingSeries:
    periods: list[FundingPeriod] = strawberry.field(
        description=f"Periods with rounds, oldest first (at most {s.MAX_BUCKETS})."
    )
    undated_count: int = strawberry.field(description="Matching rounds with no date at all.")


@strawberry.type(description="One investor's place in a period's league table.")
class LeagueEntry:
    position: int = strawberry.field(description="1 for the top investor.")
    deals: int = strawberry.field(description="Investments in rounds of the period.")
    leads: int = strawberry.field(description="Of those, rounds led.")
    committed_usd: UsdAmountRange = strawberry.field(
        description="Disclosed amounts committed, in USD."
    )
    undisclosed_count: int = strawberry.field(description="Investments of undisclosed amount.")
    _pk: strawberry.Private[int]

    @strawberry.field(description="The investor.")
    async def investor(self, info: Info) -> Organization:
        return await organization_of(info, self._pk)


@strawberry.type(description="A period's investor league table.")
class LeaguePeriod:
    start: dt.date = strawberry.field(description="First day of the period.")
    end: dt.date = strawberry.field(description="Last day of the period.")
    investor_count: int = strawberry.field(description="Investors active in the period.")
    entries: list[LeagueEntry] = strawberry.field(description="The top investors, up to `first`.")


def _series(points: list[s.SeriesPoint]) -> list[FundingPeriod]:
    return [
        FundingPeriod(
            start=x.start,
            end=x.end,
            round_count=x.round_count,
            possible_round_count=x.possible_round_count,
            raised_usd=usd_range(x.amount),
            undisclosed_count=x.undisclosed_count,
            non_cash_share=share(x.non_cash_share_min, x.non_cash_share_max),
        )
        for x in points
    ]


@strawberry.type
class SeriesQuery:
    @strawberry.field(
        metadata=weights.SERIES,
        description="Funding by month, quarter or year: rounds, amount raised as a USD range, "
        "undisclosed rounds, and the non-cash share of the consideration, from the USD values "
        "kept on every write (computed from the history when read `asOf` a recorded time). "
        "`filter` chooses "
        "rounds exactly as `fundingRounds` does; rounds dated more coarsely than the interval "
        f"count only in `possibleRoundCount` and the amount's max. At most {s.MAX_BUCKETS} "
        "periods.",
    )
    async def funding_time_series(
        self,
        info: Info,
        interval: Interval,
        period: DateRangeFilter | None = None,
        filter: FundingRoundFilter | None = None,
        as_of: AsOf = None,
    ) -> FundingSeries:
        chosen = period_of(period)
        rounds = None if filter is None else FUNDING_ROUND.filtered(to_node(filter))
        found = await answer(lambda: s.funding_series(info.context.db, rounds, interval, chosen))
        return FundingSeries(periods=_series(found.points), undated_count=found.undated_count)

    @strawberry.field(
        metadata=weights.LEAGUE,
        description="Investor league tables per month, quarter or year, ranked by deal count, "
        "disclosed amount or leads, over rounds `filter` chooses (as `fundingRounds` does) and "
        "certainly dated in the period. `first` (1-100, default 10) investors per period, at "
        f"most {s.MAX_LEAGUE_PERIODS} periods.",
    )
    async def investor_league_tables(
        self,
        info: Info,
        interval: Interval,
        rank_by: LeagueRanking = LeagueRanking.COUNT,
        period: DateRangeFilter | None = None,
        filter: FundingRoundFilter | None = None,
        first: int | None = None,
        as_of: AsOf = None,
    ) -> list[LeaguePeriod]:
        chosen = period_of(period)
        limit = first_of(first, 10)
        rounds = None if filter is None else FUNDING_ROUND.filtered(to_node(filter))
        tables = await answer(
            lambda: s.league_tables(info.context.db, rounds, interval, chosen, rank_by, limit)
        )
        return [
            LeaguePeriod(
                start=t.start,
                end=t.end,
                investor_count=t.investor_count,
                entries=[
                    LeagueEntry(
                        position=x.position,
                        deals=x.deals,
                        leads=x.leads,
                        committed_usd=usd_range(x.amount),
                        undisclosed_count=x.undisclosed_count,
                        _pk=x.investor_id,
                    )
                    for x in t.entries
                ],
            )
            for t in tables
        ]
