"""What investments were paid with, round-trip exposure of credit providers, and the
platforms a start-up depends on through its funding."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from service.analytics import consideration as c
from service.schema.analytics import weights
from service.schema.analytics.common import (
    SCOPE,
    answer,
    component_of,
    first_of,
    investment_of,
    investments_of,
    organization_of,
    organizations_of,
    period_of,
    round_of,
    share,
    usd,
    usd_range,
)
from service.schema.common import (
    ConsiderationKind,
    PartialDate,
    ShareRange,
    UsdAmountRange,
    partial_date,
)
from service.schema.context import Info
from service.schema.filters import DateRangeFilter
from service.schema.history import AsOf
from service.schema.nodes import load_objects
from service.schema.organizations import Organization
from service.schema.rounds import ConsiderationComponent, FundingRound, Investment
from service.schema.sources import Claim
from service.values import format_decimal

T = TypeVar("T")


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
        return await investments_of(info, self._investment_ids)


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
        return await component_of(info, self._line.component_id)

    @strawberry.field(description="The investment it is part of.")
    async def investment(self, info: Info) -> Investment:
        return await investment_of(info, self._line.investment_id)

    @strawberry.field(description="The start-up invested in.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self._line.startup_id)

    @strawberry.field(description="The investor.")
    async def investor(self, info: Info) -> Organization:
        return await organization_of(info, self._line.investor_id)

    @strawberry.field(description="The provider of the credits or services.")
    async def provider(self, info: Info) -> Organization:
        return await organization_of(info, self._line.provider_id)

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
        return await organizations_of(info, self._family)


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
        return partial_date((await round_of(info, self._line.round_id)).row, "announced")

    @strawberry.field(description="The backer that invested.")
    async def backer(self, info: Info) -> Organization:
        return await organization_of(info, self._line.backer_id)

    @strawberry.field(description="Whose compute or platform it ties the start-up to.")
    async def platform(self, info: Info) -> Organization:
        return await organization_of(info, self._line.platform_id)

    @strawberry.field(description="The consideration component, with its claims.")
    async def component(self, info: Info) -> ConsiderationComponent:
        return await component_of(info, self._line.component_id)

    @strawberry.field(description="The round it came with.")
    async def round(self, info: Info) -> FundingRound:
        return await round_of(info, self._line.round_id)


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
        return await organization_of(info, self._dependency.platform_id)


@strawberry.type(description="A start-up's compute and platform dependencies (F5, F18).")
class StartupDependencies:
    line_count: int = strawberry.field(description="All dependency lines (`lines` shows `first`).")
    platforms: list[PlatformDependency] = strawberry.field(
        description="Per platform, the largest first."
    )
    lines: list[DependencyLine] = strawberry.field(description="The largest lines first.")


@strawberry.type
class ConsiderationQuery:
    @strawberry.field(
        metadata=weights.MIX,
        description="What investments were paid with — cash, cloud credits, traffic promotion, "
        "services, other — in USD ranges, never a false point value. Scope: an `investor`, a "
        "start-up (`organization`), a `provider` of credits (with its subsidiaries), any "
        f"combination, or the whole market. {SCOPE} `first` (1-100, default 10) bounds "
        "`investments`.",
    )
    async def consideration_mix(
        self,
        info: Info,
        investor: str | None = None,
        organization: str | None = None,
        provider: str | None = None,
        period: DateRangeFilter | None = None,
        first: int | None = None,
        as_of: AsOf = None,
    ) -> ConsiderationMix:
        scope = c.MixScope(
            investors=[investor] if investor is not None else [],
            organizations=[organization] if organization is not None else [],
            providers=[provider] if provider is not None else [],
            period=period_of(period),
        )
        limit = first_of(first, 10)
        mix = await answer(lambda: c.consideration_mix(info.context.db, scope, limit))
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
                    usd=usd_range(k.usd),
                )
                for k in mix.by_kind
            ],
            _investment_ids=mix.investment_ids,
        )

    @strawberry.field(
        metadata=weights.ROUND_TRIP,
        description="A provider's round-trip exposure (F6): investments its corporate family "
        "paid in credits or services the family itself provides, how much is held in escrow "
        "and booked as the provider's revenue, each line's share of the start-up's round, and "
        f"the claims behind each figure. {SCOPE} `first` (1-100, default 20) bounds `lines`.",
    )
    async def round_trip_exposure(
        self,
        info: Info,
        provider: str,
        period: DateRangeFilter | None = None,
        first: int | None = None,
        as_of: AsOf = None,
    ) -> RoundTripExposure:
        chosen = period_of(period)
        limit = first_of(first, 20)
        trip = await answer(lambda: c.round_trip(info.context.db, provider, chosen, limit))
        return RoundTripExposure(
            line_count=trip.line_count,
            unvalued_count=trip.unvalued_count,
            usd=usd_range(trip.usd),
            escrowed=usd_range(trip.escrowed),
            escrowed_count=trip.escrowed_count,
            booked_as_revenue=usd_range(trip.revenue),
            booked_as_revenue_count=trip.revenue_count,
            lines=[
                RoundTripLine(
                    kind=line.kind,
                    usd=usd(line.usd),
                    escrow=line.escrow,
                    recognized_as_revenue=line.recognized_as_revenue,
                    share_of_round=share(line.round_share_min, line.round_share_max),
                    _line=line,
                )
                for line in trip.lines
            ],
            _family=trip.family_ids,
        )

    @strawberry.field(
        metadata=weights.DEPENDENCIES,
        description="A start-up's compute and platform dependencies: which backers pay it in "
        'whose credits or services, cash that must be spent on a platform ("must be spent on '
        'Azure", F5), and CLOUD_PROVIDER_OF relationships. `first` (1-100, default 20) bounds '
        "`lines`.",
    )
    async def dependencies(
        self, info: Info, startup: str, first: int | None = None, as_of: AsOf = None
    ) -> StartupDependencies:
        limit = first_of(first, 20)
        deps = await answer(lambda: c.dependencies(info.context.db, startup, limit))
        return StartupDependencies(
            line_count=deps.line_count,
            platforms=[
                PlatformDependency(
                    line_count=x.line_count,
                    backer_count=x.backer_count,
                    unvalued_count=x.unvalued_count,
                    usd=usd_range(x.usd),
                    restricted_count=x.restricted_count,
                    cloud_provider_relationship=bool(x.relationship_ids),
                    _dependency=x,
                )
                for x in deps.platforms
            ],
            lines=[
                DependencyLine(
                    kind=x.kind,
                    usd=usd(x.usd),
                    escrow=x.escrow,
                    spend_restriction=x.spend_restriction,
                    restricted=x.restricted,
                    _line=x,
                )
                for x in deps.lines
            ],
        )
