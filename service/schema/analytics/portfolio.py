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
    round_of,
    share,
    usd,
    usd_range,
)
from service.schema.common import (
    InvestmentStatus,
    PartialDate,
    ShareRange,
    UsdAmountRange,
    ValuationBasis,
)
from service.schema.context import Info
from service.schema.history import AsOf
from service.schema.nodes import require_object
from service.schema.organizations import Organization
from service.schema.rounds import FundingRound, Investment
from service.schema.valuations import Valuation
from service.values import format_decimal

T = TypeVar("T")


# --- portfolio ---------------------------------------------------------------------------


@strawberry.type(
    description="The valuation a holding is valued at: the start-up's latest of any basis."
)
class HoldingValuation:
    basis: ValuationBasis = strawberry.field(
        description="What it is based on; a round's post-money with no valuation record of "
        "its own counts as POST_MONEY."
    )
    valued_on: PartialDate | None = strawberry.field(description="The date it values.")
    value_usd: str | None = strawberry.field(
        description="The value in USD on that date; null when its currency has no rate then."
    )
    estimated: bool = strawberry.field(description="True if the value is an estimate.")
    _valuation: strawberry.Private[p.LatestValuation]

    @strawberry.field(description="The valuation record; null when read from a round's post-money.")
    async def valuation(self, info: Info) -> Valuation | None:
        if self._valuation.valuation_id is None:
            return None
        found: Valuation = await require_object(
            info.context, "Valuation", self._valuation.valuation_id
        )
        return found

    @strawberry.field(description="The round whose post-money it is, if any.")
    async def round(self, info: Info) -> FundingRound | None:
        if self._valuation.round_id is None:
            return None
        return await round_of(info, self._valuation.round_id)


@strawberry.type(description="One start-up in an investor's portfolio.")
class Holding:
    status: InvestmentStatus = strawberry.field(
        description="EXITED when every investment in it ended whole, PARTIALLY_EXITED when any "
        "exit is recorded short of that, else ACTIVE."
    )
    exited_on: PartialDate | None = strawberry.field(
        description="The date of its latest exit; null if none is recorded or dated."
    )
    rounds_joined: int = strawberry.field(description="Its rounds the investor joined.")
    leads: int = strawberry.field(description="Of those, rounds the investor led.")
    committed_usd: str = strawberry.field(description="Disclosed amounts committed, in USD.")
    undisclosed_count: int = strawberry.field(description="Investments of undisclosed amount.")
    stake: ShareRange | None = strawberry.field(
        description="Stake acquired: stored stakes, or committed amount over the round's "
        "post-money valuation; summed over its rounds, ignoring dilution. Null unless known for "
        "every round joined."
    )
    held_stake: ShareRange | None = strawberry.field(
        description="The part of `stake` still held: each investment's stake less the shares "
        "its exits sold; zero once exited. Null when `stake` is."
    )
    latest_valuation: HoldingValuation | None = strawberry.field(
        description="The start-up's latest valuation of any basis (a valuation record, or a "
        "round's post-money no record stands for; a record wins a tie); null if it has none."
    )
    latest_valuation_usd: str | None = strawberry.field(
        description="`latestValuation.valueUsd`, kept for existing clients."
    )
    latest_valuation_on: PartialDate | None = strawberry.field(
        description="`latestValuation.valuedOn`, kept for existing clients."
    )
    diluted: bool = strawberry.field(
        description="True if the start-up raised a round after the investor's last one: the "
        "implied value then ignores a dilution the data do not give."
    )
    implied_value: UsdAmountRange | None = strawberry.field(
        description="Stake still held times latest valuation, in USD; null when either is "
        "unknown, and for an exited holding."
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

    @staticmethod
    def of(h: p.Holding) -> Holding:
        v = h.valuation
        valuation = (
            None
            if v is None
            else HoldingValuation(
                basis=ValuationBasis(v.basis),
                valued_on=partial(v.on, v.precision),
                value_usd=None if v.usd is None else format_decimal(v.usd),
                estimated=v.estimated,
                _valuation=v,
            )
        )
        return Holding(
            status=InvestmentStatus(h.status),
            exited_on=partial(h.exited_on, h.exited_precision),
            rounds_joined=h.rounds,
            leads=h.leads,
            committed_usd=format_decimal(h.committed_usd),
            undisclosed_count=h.undisclosed_count,
            stake=share(h.stake_min, h.stake_max),
            held_stake=share(h.held_min, h.held_max),
            latest_valuation=valuation,
            latest_valuation_usd=None if valuation is None else valuation.value_usd,
            latest_valuation_on=None if valuation is None else valuation.valued_on,
            diluted=h.diluted,
            implied_value=usd(h.implied_value),
            sector=h.sector,
            _holding=h,
        )


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
    holding_count: int = strawberry.field(
        description="Start-ups still held, in whole or in part (not EXITED)."
    )
    exited_holding_count: int = strawberry.field(
        description="Start-ups every investment in which has ended whole (EXITED)."
    )
    investment_count: int = strawberry.field(
        description="Investments made, in holdings still held and exited alike."
    )
    lead_count: int = strawberry.field(description="Investments led, held and exited alike.")
    committed_usd: str = strawberry.field(
        description="Disclosed amounts committed, in USD, held and exited alike."
    )
    undisclosed_count: int = strawberry.field(description="Investments of undisclosed amount.")
    implied_value: UsdAmountRange = strawberry.field(
        description="Sum of the implied values that are known, of the holdings still held."
    )
    unvalued_count: int = strawberry.field(
        description="Holdings still held without an implied value."
    )
    holdings: list[Holding] = strawberry.field(
        description="The holdings still held (ACTIVE or PARTIALLY_EXITED), largest committed "
        "first, up to `first`."
    )
    exited_holdings: list[Holding] = strawberry.field(
        description="The EXITED holdings, latest exit first, up to `first`."
    )
    exposures: list[Exposure] = strawberry.field(
        description=f"Of the holdings still held, by country and by sector, most holdings "
        f"first (up to {p.MAX_EXPOSURE_GROUPS} groups each)."
    )


@strawberry.type
class PortfolioQuery:
    @strawberry.field(
        metadata=weights.PORTFOLIO,
        description="An investor's portfolio: each start-up with the rounds joined, committed "
        "amounts, latest valuation of any basis and implied stake-value range, holdings still "
        "held apart from exited ones, and exposure by country and sector. `first` (1-100, "
        "default 20) bounds `holdings` and `exitedHoldings` each; totals and exposure cover "
        "every holding.",
    )
    async def portfolio(
        self, info: Info, investor: str, first: int | None = None, as_of: AsOf = None
    ) -> Portfolio:
        limit = first_of(first, 20)
        found = await answer(lambda: p.portfolio(info.context.db, investor, limit))
        return Portfolio(
            holding_count=found.holding_count,
            exited_holding_count=found.exited_holding_count,
            investment_count=found.investment_count,
            lead_count=found.lead_count,
            committed_usd=format_decimal(found.committed_usd),
            undisclosed_count=found.undisclosed_count,
            implied_value=usd_range(found.implied_value),
            unvalued_count=found.unvalued_count,
            holdings=[Holding.of(h) for h in found.holdings],
            exited_holdings=[Holding.of(h) for h in found.exited_holdings],
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
