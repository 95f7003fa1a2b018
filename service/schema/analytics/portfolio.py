"""An investor's holdings and exposure."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from service.analytics import portfolio as p
from service.schema.analytics import weights
from service.schema.analytics.common import (
    answer,
    first_of,
    investments_of,
    organization_of,
    partial,
    share,
    usd,
    usd_range,
)
from service.schema.common import (
    PartialDate,
    ShareRange,
    UsdAmountRange,
)
from service.schema.context import Info
from service.schema.history import AsOf
from service.schema.organizations import Organization
from service.schema.rounds import Investment
from service.values import format_decimal

T = TypeVar("T")


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
        return await organization_of(info, self._holding.startup_id)

    @strawberry.field(description="The investments, oldest round first.")
    async def investments(self, info: Info) -> list[Investment]:
        return await investments_of(info, self._holding.investment_ids)


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


@strawberry.type
class PortfolioQuery:
    @strawberry.field(
        metadata=weights.PORTFOLIO,
        description="An investor's portfolio: each start-up with the rounds joined, committed "
        "amounts, latest known valuation and implied stake-value range, and exposure by country "
        "and sector. `first` (1-100, default 20) bounds `holdings`; totals and exposure cover "
        "every holding.",
    )
    async def portfolio(
        self, info: Info, investor: str, first: int | None = None, as_of: AsOf = None
    ) -> Portfolio:
        limit = first_of(first, 20)
        found = await answer(lambda: p.portfolio(info.context.db, investor, limit))
        return Portfolio(
            holding_count=found.holding_count,
            investment_count=found.investment_count,
            lead_count=found.lead_count,
            committed_usd=format_decimal(found.committed_usd),
            undisclosed_count=found.undisclosed_count,
            implied_value=usd_range(found.implied_value),
            unvalued_count=found.unvalued_count,
            holdings=[
                Holding(
                    rounds_joined=h.rounds,
                    leads=h.leads,
                    committed_usd=format_decimal(h.committed_usd),
                    undisclosed_count=h.undisclosed_count,
                    stake=share(h.stake_min, h.stake_max),
                    latest_valuation_usd=(
                        None if h.valuation_usd is None else format_decimal(h.valuation_usd)
                    ),
                    latest_valuation_on=partial(h.valuation_on, h.valuation_precision),
                    diluted=h.diluted,
                    implied_value=usd(h.implied_value),
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
                    implied_value=usd_range(x.implied_value),
                    unvalued_count=x.unvalued_count,
                )
                for x in found.exposures
            ],
        )
