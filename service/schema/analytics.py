"""The analytics root fields: consideration mix, round-trip exposure, dependencies, the
investment network, portfolios, funding over time and league tables.

Each field runs its analytic (``service.analytics``) in a bounded number of SQL statements and
shapes the typed result; organizations, investments and claims it names are loaded through the
request's DataLoaders. Every list is bounded by a `first` argument (1 to 100) or by a stated cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Annotated, TypeVar

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from service.analytics import consideration as c
from service.analytics import network as n
from service.analytics import portfolio as p
from service.analytics import series as s
from service.analytics.common import AnalyticsInputError, Period, UsdRange
from service.repository.rounds import FUNDING_ROUND
from service.schema.common import (
    ConsiderationKind,
    DatePrecision,
    PartialDate,
    ShareRange,
    partial_date,
)
from service.schema.context import Info
from service.schema.filters import DateRangeFilter, FundingRoundFilter, to_node
from service.schema.nodes import load_objects, require_object
from service.schema.organizations import Organization
from service.schema.relay import user_error
from service.schema.rounds import ConsiderationComponent, FundingRound, Investment
from service.schema.sources import Claim
from service.values import format_decimal

T = TypeVar("T")

MAX_FIRST = 100


def _first(value: int | None, default: int, name: str = "first") -> int:
    if value is None:
        return default
    if not 1 <= value <= MAX_FIRST:
        raise user_error(f"`{name}` must be between 1 and {MAX_FIRST}; got {value}.")
    return value


def _period(value: DateRangeFilter | None) -> Period:
    if value is None:
        return Period()
    try:
        return Period(value.gte, value.lte)
    except AnalyticsInputError as exc:
        raise user_error(str(exc)) from exc


async def _answer(run: Callable[[], Awaitable[T]]) -> T:
    """Runs an analytic, turning input it refuses into a BAD_USER_INPUT error."""
    try:
        return await run()
    except AnalyticsInputError as exc:
        raise user_error(str(exc)) from exc


async def _investment(info: Info, pk: int) -> Investment:
    found: Investment = await require_object(info.context, "Investment", pk)
    return found


async def _investments(info: Info, pks: list[int]) -> list[Investment]:
    found: list[Investment] = await load_objects(info.context, "Investment", pks)
    if len(found) != len(pks):
        raise LookupError("an investment vanished during the request")
    return found


async def _organizations(info: Info, pks: list[int]) -> list[Organization]:
    found: list[Organization] = await load_objects(info.context, "Organization", pks)
    return found


async def _organization(info: Info, pk: int) -> Organization:
    found: Organization = await require_object(info.context, "Organization", pk)
    return found


async def _component(info: Info, pk: int) -> ConsiderationComponent:
    found: ConsiderationComponent = await require_object(info.context, "ConsiderationComponent", pk)
    return found


async def _round(info: Info, pk: int) -> FundingRound:
    found: FundingRound = await require_object(info.context, "FundingRound", pk)
    return found


def _selects(fields: Sequence[Selection], name: str) -> bool:
    """True if the query selects a field of this name anywhere below (fragments included)."""
    for field in fields:
        if isinstance(field, SelectedField) and field.name == name:
            return True
        if _selects(field.selections, name):
            return True
    return False


def _partial(on: dt.date | None, precision: str | None) -> PartialDate | None:
    if on is None or precision is None:
        return None
    return PartialDate(date=on, precision=DatePrecision(precision))


def _share(low: Decimal | None, high: Decimal | None) -> ShareRange | None:
    if low is None or high is None:
        return None
    return ShareRange(min=format_decimal(low), max=format_decimal(high))


@strawberry.type(
    description="An amount in US dollars known only to lie in a range; a known amount has "
    "min = max. Decimal strings, to the cent."
)
class UsdAmountRange:
    min: str = strawberry.field(description="Lower bound in USD.")
    max: str = strawberry.field(description="Upper bound in USD.")
    estimated: bool = strawberry.field(
        description="True if any amount or share behind the range is an estimate."
    )

    @staticmethod
    def of(value: UsdRange) -> UsdAmountRange:
        return UsdAmountRange(
            min=format_decimal(value.low), max=format_decimal(value.high), estimated=value.estimated
        )


def _usd(value: UsdRange | None) -> UsdAmountRange | None:
    return None if value is None else UsdAmountRange.of(value)


# --- consideration mix -------------------------------------------------------------------


@strawberry.type(description="What investments in scope were paid with, for one kind.")
class ConsiderationKindTotal:
    kind: ConsiderationKind = strawberry.field(description="Cash, cloud credits, promotion…")
    investment_count: int = strawberry.field(
        description="Investments with at least one component of this kind."
    )
    component_count: int = strawberry.field(description="Components of this kind.")
    unvalued_count: int = strawberry.field(
        description="Components of this kind whose USD value is unknown (no amount, no share, "
        "or an investment of undisclosed amount); they are not in `usd`."
    )
    usd: UsdAmountRange = strawberry.field(
        description="Total in USD of the valued components, as a range: shares known only as "
        "ranges give ranges, never a point."
    )


@strawberry.type(description="The consideration mix of a set of investments.")
class ConsiderationMix:
    investment_count: int = strawberry.field(description="Investments in scope.")
    unknown_split_count: int = strawberry.field(
        description="Investments in scope with no known consideration at all (what they were "
        "paid with is unknown)."
    )
    unvalued_count: int = strawberry.field(
        description="Investments with at least one component that cannot be valued in USD."
    )
    committed_usd: str = strawberry.field(
        description="Sum in USD of the committed amounts that are disclosed."
    )
    committed_unknown_count: int = strawberry.field(
        description="Investments in scope whose committed amount is undisclosed."
    )
    by_kind: list[ConsiderationKindTotal] = strawberry.field(
        description="One entry per consideration kind, all five always present."
    )
    _investment_ids: strawberry.Private[list[int]]

    @strawberry.field(
        description="The largest investments in scope (by committed USD; `first` at the root "
        "field), with their consideration and the claims behind each figure."
    )
    async def investments(self, info: Info) -> list[Investment]:
        return await _investments(info, self._investment_ids)


# --- round-trip exposure -----------------------------------------------------------------


@strawberry.type(
    description="One investment its investor paid in credits or services of its own corporate "
    "family: the money that can come back as the provider's revenue."
)
class RoundTripLine:
    kind: ConsiderationKind = strawberry.field(description="What the component is.")
    usd: UsdAmountRange | None = strawberry.field(
        description="Its value in USD as a range; null if it cannot be valued."
    )
    escrow: bool | None = strawberry.field(
        description="True if held in escrow rather than transferred; null if unknown."
    )
    recognized_as_revenue: bool | None = strawberry.field(
        description="True if the provider books it as its own revenue; null if unknown."
    )
    share_of_round: ShareRange | None = strawberry.field(
        description="Its share of the whole round raised (USD range over the round's amount); "
        "null where either is unknown."
    )
    _line: strawberry.Private[c.RoundTripLine]

    @strawberry.field(description="The consideration component.")
    async def component(self, info: Info) -> ConsiderationComponent:
        return await _component(info, self._line.component_id)

    @strawberry.field(description="The investment it is part of.")
    async def investment(self, info: Info) -> Investment:
        return await _investment(info, self._line.investment_id)

    @strawberry.field(description="The start-up invested in.")
    async def organization(self, info: Info) -> Organization:
        return await _organization(info, self._line.startup_id)

    @strawberry.field(description="The investor.")
    async def investor(self, info: Info) -> Organization:
        return await _organization(info, self._line.investor_id)

    @strawberry.field(description="The provider of the credits or services.")
    async def provider(self, info: Info) -> Organization:
        return await _organization(info, self._line.provider_id)

    @strawberry.field(
        description="The claims behind the figures: those on the component, the investment "
        "and the round, with their sources."
    )
    async def claims(self, info: Info) -> list[Claim]:
        found: list[Claim] = await load_objects(info.context, "Claim", self._line.claim_ids)
        return found


@strawberry.type(description="A provider's round-trip exposure (F6).")
class RoundTripExposure:
    line_count: int = strawberry.field(description="Components paid in the family's own credits.")
    unvalued_count: int = strawberry.field(description="Of those, components of unknown value.")
    usd: UsdAmountRange = strawberry.field(description="Their total value in USD.")
    escrowed: UsdAmountRange = strawberry.field(description="Of that, what is held in escrow.")
    escrowed_count: int = strawberry.field(description="Components held in escrow.")
    booked_as_revenue: UsdAmountRange = strawberry.field(
        description="Of that, what the provider books as its own revenue."
    )
    booked_as_revenue_count: int = strawberry.field(description="Components booked as revenue.")
    lines: list[RoundTripLine] = strawberry.field(
        description="The largest components first, up to `first`."
    )
    _family: strawberry.Private[list[int]]

    @strawberry.field(
        description="The corporate family counted as the provider: everything under its topmost "
        "parent (e.g. Alibaba and Alibaba Cloud)."
    )
    async def family(self, info: Info) -> list[Organization]:
        return await _organizations(info, self._family)


# --- dependencies ------------------------------------------------------------------------


@strawberry.type(description="One way a start-up depends on a platform through its funding.")
class DependencyLine:
    kind: ConsiderationKind = strawberry.field(description="What the backer gave.")
    usd: UsdAmountRange | None = strawberry.field(
        description="Its value in USD as a range; null if it cannot be valued."
    )
    escrow: bool | None = strawberry.field(description="True if held in escrow; null if unknown.")
    spend_restriction: str | None = strawberry.field(
        description='Conditions on spending it, e.g. "must be spent on Azure".'
    )
    restricted: bool = strawberry.field(
        description="True if it must be spent on the platform (cash tied to a cloud, F5)."
    )
    _line: strawberry.Private[c.DependencyLine]

    @strawberry.field(description="When its round was announced, to the precision known.")
    async def announced_on(self, info: Info) -> PartialDate | None:
        return partial_date((await _round(info, self._line.round_id)).row, "announced")

    @strawberry.field(description="The backer that invested.")
    async def backer(self, info: Info) -> Organization:
        return await _organization(info, self._line.backer_id)

    @strawberry.field(description="Whose compute or platform it ties the start-up to.")
    async def platform(self, info: Info) -> Organization:
        return await _organization(info, self._line.platform_id)

    @strawberry.field(description="The consideration component, with its claims.")
    async def component(self, info: Info) -> ConsiderationComponent:
        return await _component(info, self._line.component_id)

    @strawberry.field(description="The round it came with.")
    async def round(self, info: Info) -> FundingRound:
        return await _round(info, self._line.round_id)


@strawberry.type(description="A platform a start-up depends on, summed over its funding.")
class PlatformDependency:
    line_count: int = strawberry.field(description="Components tying the start-up to it.")
    backer_count: int = strawberry.field(description="Distinct backers behind those components.")
    unvalued_count: int = strawberry.field(description="Components of unknown value.")
    usd: UsdAmountRange = strawberry.field(description="Value in USD of the valued components.")
    restricted_count: int = strawberry.field(
        description="Components that must be spent on the platform."
    )
    cloud_provider_relationship: bool = strawberry.field(
        description="True if a CLOUD_PROVIDER_OF relationship links the platform to the start-up."
    )
    _dependency: strawberry.Private[c.PlatformDependency]

    @strawberry.field(description="The platform (cloud, marketplace…).")
    async def platform(self, info: Info) -> Organization:
        return await _organization(info, self._dependency.platform_id)


@strawberry.type(description="A start-up's compute and platform dependencies (F5, F18).")
class StartupDependencies:
    line_count: int = strawberry.field(description="All dependency lines (`lines` shows `first`).")
    platforms: list[PlatformDependency] = strawberry.field(
        description="Per platform, the largest first."
    )
    lines: list[DependencyLine] = strawberry.field(description="The largest lines first.")


# --- network -----------------------------------------------------------------------------


@strawberry.type(description="An organization that invested in the same rounds.")
class CoInvestor:
    shared_rounds: int = strawberry.field(description="Rounds both invested in.")
    first_shared_on: PartialDate | None = strawberry.field(
        description="Date of the earliest dated shared round."
    )
    last_shared_on: PartialDate | None = strawberry.field(
        description="Date of the latest dated shared round."
    )
    _pk: strawberry.Private[int]

    @strawberry.field(description="The co-investor.")
    async def organization(self, info: Info) -> Organization:
        return await _organization(info, self._pk)


@strawberry.type(description="Who invests next to an organization.")
class CoInvestors:
    total_count: int = strawberry.field(description="All its co-investors.")
    rounds_joined: int = strawberry.field(description="Rounds the organization invested in.")
    nodes: list[CoInvestor] = strawberry.field(
        description="Most shared rounds first, then latest shared; up to `first`."
    )


@strawberry.enum(description="Which way a path step follows its investment.")
class PathDirection(Enum):
    INVESTED_IN = "INVESTED_IN"
    RAISED_FROM = "RAISED_FROM"


@strawberry.type(description="One step of an investment path: one real investment.")
class PathStep:
    direction: PathDirection = strawberry.field(
        description="INVESTED_IN: `from` invested in `to`; RAISED_FROM: `from` raised from `to`."
    )
    _step: strawberry.Private[n.PathStep]

    @strawberry.field(name="from", description="Where the step starts.")
    async def from_(self, info: Info) -> Organization:
        return await _organization(info, self._step.from_id)

    @strawberry.field(description="Where the step ends.")
    async def to(self, info: Info) -> Organization:
        return await _organization(info, self._step.to_id)

    @strawberry.field(description="The investment the step follows.")
    async def investment(self, info: Info) -> Investment:
        return await _investment(info, self._step.investment_id)


@strawberry.type(description="The shortest chain of investments between two organizations.")
class InvestmentPath:
    found: bool = strawberry.field(description="True if a path was found within `maxDepth`.")
    length: int | None = strawberry.field(description="Number of steps; null if none found.")
    truncated: bool = strawberry.field(
        description="True if a fan-out or frontier cap cut the search: a shorter path, or a "
        "path where none was found, may exist."
    )
    levels_searched: int = strawberry.field(description="Breadth-first levels expanded.")
    organizations_visited: int = strawberry.field(description="Organizations reached.")
    steps: list[PathStep] = strawberry.field(description="The steps, from `from` to `to`.")


# --- portfolio ---------------------------------------------------------------------------


@strawberry.type(description="One start-up in an investor's portfolio.")
class Holding:
    rounds_joined: int = strawberry.field(description="Its rounds the investor joined.")
    leads: int = strawberry.field(description="Of those, rounds the investor led.")
    committed_usd: str = strawberry.field(description="Disclosed amounts committed, in USD.")
    undisclosed_count: int = strawberry.field(description="Investments of undisclosed amount.")
    stake: ShareRange | None = strawberry.field(
        description="Stake held: stored stakes, or committed amount over the round's post-money "
        "valuation; summed over its rounds, ignoring dilution. Null unless known for every "
        "round joined."
    )
    latest_valuation_usd: str | None = strawberry.field(
        description="The start-up's latest known post-money valuation, in USD."
    )
    latest_valuation_on: PartialDate | None = strawberry.field(
        description="The date of that valuation's round."
    )
    diluted: bool = strawberry.field(
        description="True if the start-up raised a valued round after the investor's last one: "
        "the implied value then ignores a dilution the data do not give."
    )
    implied_value: UsdAmountRange | None = strawberry.field(
        description="Stake range times latest valuation, in USD; null when either is unknown."
    )
    sector: str | None = strawberry.field(
        description="The start-up's sector: the category of its products; null if it has none."
    )
    _holding: strawberry.Private[p.Holding]

    @strawberry.field(description="The start-up.")
    async def organization(self, info: Info) -> Organization:
        return await _organization(info, self._holding.startup_id)

    @strawberry.field(description="The investments, oldest round first.")
    async def investments(self, info: Info) -> list[Investment]:
        return await _investments(info, self._holding.investment_ids)


@strawberry.enum(description="How exposure is grouped.")
class ExposureDimension(Enum):
    COUNTRY = "COUNTRY"
    SECTOR = "SECTOR"


@strawberry.type(description="A portfolio's exposure to one country or sector.")
class Exposure:
    dimension: ExposureDimension = strawberry.field(description="Country or sector.")
    key: str | None = strawberry.field(
        description="The country code or sector; null groups holdings where it is unknown."
    )
    holdings: int = strawberry.field(description="Start-ups held.")
    committed_usd: str = strawberry.field(description="Disclosed amounts committed, in USD.")
    implied_value: UsdAmountRange = strawberry.field(
        description="Sum of the implied values that are known."
    )
    unvalued_count: int = strawberry.field(description="Holdings without an implied value.")


@strawberry.type(description="An investor's holdings and exposure.")
class Portfolio:
    holding_count: int = strawberry.field(description="Start-ups held.")
    investment_count: int = strawberry.field(description="Investments made.")
    lead_count: int = strawberry.field(description="Investments led.")
    committed_usd: str = strawberry.field(description="Disclosed amounts committed, in USD.")
    undisclosed_count: int = strawberry.field(description="Investments of undisclosed amount.")
    implied_value: UsdAmountRange = strawberry.field(
        description="Sum of the holdings' implied values that are known."
    )
    unvalued_count: int = strawberry.field(description="Holdings without an implied value.")
    holdings: list[Holding] = strawberry.field(
        description="Largest committed first, up to `first`."
    )
    exposures: list[Exposure] = strawberry.field(
        description=f"By country and by sector, most holdings first (up to "
        f"{p.MAX_EXPOSURE_GROUPS} groups each)."
    )


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
        return await _organization(info, self._pk)


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
            raised_usd=UsdAmountRange.of(x.amount),
            undisclosed_count=x.undisclosed_count,
            non_cash_share=_share(x.non_cash_share_min, x.non_cash_share_max),
        )
        for x in points
    ]


_SCOPE = (
    "Organizations are given by slug; an unknown slug is a BAD_USER_INPUT error. `period` keeps "
    "rounds announced within it (undated rounds are then left out)."
)


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="What investments were paid with — cash, cloud credits, traffic promotion, "
        "services, other — in USD ranges, never a false point value. Scope: an `investor`, a "
        "start-up (`organization`), a `provider` of credits (with its subsidiaries), any "
        f"combination, or the whole market. {_SCOPE} `first` (1-100, default 10) bounds "
        "`investments`."
    )
    async def consideration_mix(
        self,
        info: Info,
        investor: str | None = None,
        organization: str | None = None,
        provider: str | None = None,
        period: DateRangeFilter | None = None,
        first: int | None = None,
    ) -> ConsiderationMix:
        scope = c.MixScope(
            investors=[investor] if investor is not None else [],
            organizations=[organization] if organization is not None else [],
            providers=[provider] if provider is not None else [],
            period=_period(period),
        )
        limit = _first(first, 10)
        mix = await _answer(lambda: c.consideration_mix(info.context.db, scope, limit))
        return ConsiderationMix(
            investment_count=mix.investment_count,
            unknown_split_count=mix.unknown_split_count,
            unvalued_count=mix.unvalued_count,
            committed_usd=format_decimal(mix.committed_usd),
            committed_unknown_count=mix.committed_unknown_count,
            by_kind=[
                ConsiderationKindTotal(
                    kind=k.kind,
                    investment_count=k.investment_count,
                    component_count=k.component_count,
                    unvalued_count=k.unvalued_count,
                    usd=UsdAmountRange.of(k.usd),
                )
                for k in mix.by_kind
            ],
            _investment_ids=mix.investment_ids,
        )

    @strawberry.field(
        description="A provider's round-trip exposure (F6): investments its corporate family "
        "paid in credits or services the family itself provides, how much is held in escrow "
        "and booked as the provider's revenue, each line's share of the start-up's round, and "
        f"the claims behind each figure. {_SCOPE} `first` (1-100, default 20) bounds `lines`."
    )
    async def round_trip_exposure(
        self,
        info: Info,
        provider: str,
        period: DateRangeFilter | None = None,
        first: int | None = None,
    ) -> RoundTripExposure:
        chosen = _period(period)
        limit = _first(first, 20)
        trip = await _answer(lambda: c.round_trip(info.context.db, provider, chosen, limit))
        return RoundTripExposure(
            line_count=trip.line_count,
            unvalued_count=trip.unvalued_count,
            usd=UsdAmountRange.of(trip.usd),
            escrowed=UsdAmountRange.of(trip.escrowed),
            escrowed_count=trip.escrowed_count,
            booked_as_revenue=UsdAmountRange.of(trip.revenue),
            booked_as_revenue_count=trip.revenue_count,
            lines=[
                RoundTripLine(
                    kind=line.kind,
                    usd=_usd(line.usd),
                    escrow=line.escrow,
                    recognized_as_revenue=line.recognized_as_revenue,
                    share_of_round=_share(line.round_share_min, line.round_share_max),
                    _line=line,
                )
                for line in trip.lines
            ],
            _family=trip.family_ids,
        )

    @strawberry.field(
        description="A start-up's compute and platform dependencies: which backers pay it in "
        'whose credits or services, cash that must be spent on a platform ("must be spent on '
        'Azure", F5), and CLOUD_PROVIDER_OF relationships. `first` (1-100, default 20) bounds '
        "`lines`."
    )
    async def dependencies(
        self, info: Info, startup: str, first: int | None = None
    ) -> StartupDependencies:
        limit = _first(first, 20)
        deps = await _answer(lambda: c.dependencies(info.context.db, startup, limit))
        return StartupDependencies(
            line_count=deps.line_count,
            platforms=[
                PlatformDependency(
                    line_count=x.line_count,
                    backer_count=x.backer_count,
                    unvalued_count=x.unvalued_count,
                    usd=UsdAmountRange.of(x.usd),
                    restricted_count=x.restricted_count,
                    cloud_provider_relationship=bool(x.relationship_ids),
                    _dependency=x,
                )
                for x in deps.platforms
            ],
            lines=[
                DependencyLine(
                    kind=x.kind,
                    usd=_usd(x.usd),
                    escrow=x.escrow,
                    spend_restriction=x.spend_restriction,
                    restricted=x.restricted,
                    _line=x,
                )
                for x in deps.lines
            ],
        )

    @strawberry.field(
        description="Who invests next to an organization: each co-investor with the number of "
        "rounds shared and the first and last shared dates. `first` (1-100, default 20) bounds "
        "`nodes`."
    )
    async def co_investors(
        self, info: Info, organization: str, first: int | None = None
    ) -> CoInvestors:
        limit = _first(first, 20)
        found = await _answer(lambda: n.co_investors(info.context.db, organization, limit))
        return CoInvestors(
            total_count=found.total,
            rounds_joined=found.rounds_joined,
            nodes=[
                CoInvestor(
                    shared_rounds=x.shared_rounds,
                    first_shared_on=_partial(x.first_on, x.first_precision),
                    last_shared_on=_partial(x.last_on, x.last_precision),
                    _pk=x.organization_id,
                )
                for x in found.entries
            ],
        )

    @strawberry.field(
        description="The shortest chain of investments between two organizations (by slug), "
        f"each step a real investment walked either way, at most `maxDepth` (1-{n.MAX_DEPTH}, "
        "default 4) steps. Searched breadth-first from both ends, one level at a time; to stay "
        f"interactive each organization contributes at most {n.FANOUT_CAP} investments per "
        f"direction (its newest) and a level keeps at most {n.FRONTIER_CAP} organizations, "
        "which caps the fan-out through the busiest investors; `truncated` tells when a cap cut "
        "the search."
    )
    async def investment_path(
        self,
        info: Info,
        from_: Annotated[
            str,
            strawberry.argument(name="from", description="Slug of the organization to start at."),
        ],
        to: Annotated[str, strawberry.argument(description="Slug of the organization to reach.")],
        max_depth: Annotated[
            int, strawberry.argument(description="Most steps allowed (1 to 4).")
        ] = n.MAX_DEPTH,
    ) -> InvestmentPath:
        found = await _answer(lambda: n.shortest_path(info.context.db, from_, to, max_depth))
        return InvestmentPath(
            found=found.found,
            length=len(found.steps) if found.found else None,
            truncated=found.truncated,
            levels_searched=found.levels_searched,
            organizations_visited=found.organizations_visited,
            steps=[
                PathStep(
                    direction=PathDirection.INVESTED_IN
                    if step.investor_id == step.from_id
                    else PathDirection.RAISED_FROM,
                    _step=step,
                )
                for step in found.steps
            ],
        )

    @strawberry.field(
        description="An investor's portfolio: each start-up with the rounds joined, committed "
        "amounts, latest known valuation and implied stake-value range, and exposure by country "
        "and sector. `first` (1-100, default 20) bounds `holdings`; totals and exposure cover "
        "every holding."
    )
    async def portfolio(self, info: Info, investor: str, first: int | None = None) -> Portfolio:
        limit = _first(first, 20)
        found = await _answer(lambda: p.portfolio(info.context.db, investor, limit))
        return Portfolio(
            holding_count=found.holding_count,
            investment_count=found.investment_count,
            lead_count=found.lead_count,
            committed_usd=format_decimal(found.committed_usd),
            undisclosed_count=found.undisclosed_count,
            implied_value=UsdAmountRange.of(found.implied_value),
            unvalued_count=found.unvalued_count,
            holdings=[
                Holding(
                    rounds_joined=h.rounds,
                    leads=h.leads,
                    committed_usd=format_decimal(h.committed_usd),
                    undisclosed_count=h.undisclosed_count,
                    stake=_share(h.stake_min, h.stake_max),
                    latest_valuation_usd=(
                        None if h.valuation_usd is None else format_decimal(h.valuation_usd)
                    ),
                    latest_valuation_on=_partial(h.valuation_on, h.valuation_precision),
                    diluted=h.diluted,
                    implied_value=_usd(h.implied_value),
                    sector=h.sector,
                    _holding=h,
                )
                for h in found.holdings
            ],
            exposures=[
                Exposure(
                    dimension=ExposureDimension(x.dimension),
                    key=x.key,
                    holdings=x.holdings,
                    committed_usd=format_decimal(x.committed_usd),
                    implied_value=UsdAmountRange.of(x.implied_value),
                    unvalued_count=x.unvalued_count,
                )
                for x in found.exposures
            ],
        )

    @strawberry.field(
        description="Funding by month, quarter or year: rounds, amount raised as a USD range, "
        "undisclosed rounds, and the non-cash share of the consideration (valuing every "
        "component is most of the cost: it is computed only when `nonCashShare` is selected). "
        "`filter` chooses "
        "rounds exactly as `fundingRounds` does; rounds dated more coarsely than the interval "
        f"count only in `possibleRoundCount` and the amount's max. At most {s.MAX_BUCKETS} "
        "periods."
    )
    async def funding_time_series(
        self,
        info: Info,
        interval: Interval,
        period: DateRangeFilter | None = None,
        filter: FundingRoundFilter | None = None,
    ) -> FundingSeries:
        chosen = _period(period)
        rounds = FUNDING_ROUND.filtered(to_node(filter))
        with_mix = _selects(info.selected_fields, "nonCashShare")
        found = await _answer(
            lambda: s.funding_series(info.context.db, rounds, interval, chosen, with_mix)
        )
        return FundingSeries(periods=_series(found.points), undated_count=found.undated_count)

    @strawberry.field(
        description="Investor league tables per month, quarter or year, ranked by deal count, "
        "disclosed amount or leads, over rounds `filter` chooses (as `fundingRounds` does) and "
        "certainly dated in the period. `first` (1-100, default 10) investors per period, at "
        f"most {s.MAX_LEAGUE_PERIODS} periods."
    )
    async def investor_league_tables(
        self,
        info: Info,
        interval: Interval,
        rank_by: LeagueRanking = LeagueRanking.COUNT,
        period: DateRangeFilter | None = None,
        filter: FundingRoundFilter | None = None,
        first: int | None = None,
    ) -> list[LeaguePeriod]:
        chosen = _period(period)
        limit = _first(first, 10)
        rounds = FUNDING_ROUND.filtered(to_node(filter))
        tables = await _answer(
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
                        committed_usd=UsdAmountRange.of(x.amount),
                        undisclosed_count=x.undisclosed_count,
                        _pk=x.investor_id,
                    )
                    for x in t.entries
                ],
            )
            for t in tables
        ]
