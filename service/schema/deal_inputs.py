"""The create inputs of the records of an investment's life (acquisitions, listings,
valuations, funds, exits); update inputs are derived from them as for every entity."""

from __future__ import annotations

import strawberry

from service.schema.common import (
    AcquisitionStatus,
    DealRole,
    ExitKind,
    ListingStatus,
    PaymentKind,
    ValuationBasis,
)
from service.schema.mutation_inputs import MoneyInput, PartialDateInput, ShareRangeInput

F = strawberry.field


@strawberry.input(description="A new acquisition.")
class AcquisitionCreateInput:
    acquirer: strawberry.ID = F(description="ID of the buying organization.")
    acquired: strawberry.ID = F(description="ID of the organization bought (or a stake in it).")
    status: AcquisitionStatus = F(description="Announced, completed or cancelled.")
    announced_on: PartialDateInput | None = F(default=None, description="When it was announced.")
    completed_on: PartialDateInput | None = F(
        default=None, description="When it completed; only for a COMPLETED acquisition."
    )
    price: MoneyInput | None = F(default=None, description="What the acquirer paid.")
    stake: ShareRangeInput | None = F(
        default=None, description="The share bought; leave out for a whole company if unknown."
    )
    description: str | None = F(default=None, description="Terms and notes.")


@strawberry.input(description="Part of what an acquirer pays.")
class AcquisitionComponentCreateInput:
    acquisition: strawberry.ID = F(description="ID of the acquisition.")
    position: int = F(description="Its place in the acquisition's list, from 0.")
    kind: PaymentKind = F(description="What is paid.")
    amount: MoneyInput | None = F(default=None, description="Its value, if known.")
    share: ShareRangeInput | None = F(default=None, description="Its share of the price.")
    estimated: bool = F(default=False, description="True if the amount or share is estimated.")
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="A new listing (IPO or direct listing), at any step.")
class ListingCreateInput:
    organization: strawberry.ID = F(description="ID of the organization being listed.")
    status: ListingStatus = F(description="Planned, filed, priced, listed or withdrawn.")
    exchange: str | None = F(default=None, description="The exchange, e.g. `HKEX`.")
    ticker: str | None = F(default=None, description="The ticker symbol.")
    announced_on: PartialDateInput | None = F(default=None, description="When it was announced.")
    filed_on: PartialDateInput | None = F(default=None, description="When it was filed.")
    listed_on: PartialDateInput | None = F(
        default=None, description="When trading began; only for a LISTED listing."
    )
    withdrawn_on: PartialDateInput | None = F(
        default=None, description="When it was withdrawn; only for a WITHDRAWN listing."
    )
    withdrawal_reason: str | None = F(
        default=None, description="Why it was withdrawn; only for a WITHDRAWN listing."
    )
    shares_offered: str | None = F(
        default=None, description='Shares offered, a whole-number decimal string, e.g. "1500000".'
    )
    raised: MoneyInput | None = F(default=None, description="Money raised by the offering.")
    valuation: MoneyInput | None = F(default=None, description="The valuation at listing.")
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="A new valuation of an organization.")
class ValuationCreateInput:
    organization: strawberry.ID = F(description="ID of the organization valued.")
    basis: ValuationBasis = F(description="What the value is based on.")
    value: MoneyInput = F(description="What the organization was worth.")
    valued_on: PartialDateInput | None = F(default=None, description="The date it values at.")
    round: strawberry.ID | None = F(
        default=None, description="ID of the round whose post-money this is (POST_MONEY only)."
    )
    listing: strawberry.ID | None = F(
        default=None, description="ID of the listing whose market value this is."
    )
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="A new fund.")
class FundCreateInput:
    slug: str = F(description="Stable, URL-safe identifier: lowercase words joined by `-`.")
    name: str = F(description="The fund's name.")
    manager: strawberry.ID = F(description="ID of the investor organization managing it.")
    vintage_year: int | None = F(default=None, description="The year of its first close.")
    target_size: MoneyInput | None = F(default=None, description="The size it set out to raise.")
    final_size: MoneyInput | None = F(default=None, description="The size it closed at.")
    strategy: str | None = F(default=None, description="What it invests in.")
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="A limited partner's new commitment to a fund.")
class FundCommitmentCreateInput:
    fund: strawberry.ID = F(description="ID of the fund.")
    limited_partner: strawberry.ID = F(description="ID of the committing organization.")
    amount: MoneyInput | None = F(default=None, description="The amount committed.")
    share: ShareRangeInput | None = F(default=None, description="Its share of the fund.")
    committed_on: PartialDateInput | None = F(default=None, description="When it committed.")
    ended_on: PartialDateInput | None = F(default=None, description="When it ended.")
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="An investment made through a fund.")
class FundInvestmentCreateInput:
    investment: strawberry.ID = F(description="ID of the investment.")
    fund: strawberry.ID = F(description="ID of the fund it was made through.")


@strawberry.input(description="A new exit: an investment's end, whole or in part.")
class ExitCreateInput:
    investment: strawberry.ID = F(description="ID of the investment that ended.")
    kind: ExitKind = F(description="How it ended.")
    exited_on: PartialDateInput | None = F(default=None, description="When.")
    proceeds: MoneyInput | None = F(default=None, description="What the investor received.")
    share: ShareRangeInput | None = F(
        default=None, description="The part of the holding that ended; leave out for all of it."
    )
    counterparty: strawberry.ID | None = F(default=None, description="ID of the buyer.")
    acquisition: strawberry.ID | None = F(
        default=None, description="ID of the acquisition it was sold in (ACQUISITION only)."
    )
    listing: strawberry.ID | None = F(
        default=None, description="ID of the listing it was realised through (LISTING only)."
    )
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="A person's part in an investment, for the investor.")
class InvestmentPersonCreateInput:
    investment: strawberry.ID = F(description="ID of the investment.")
    person: strawberry.ID = F(description="ID of the person.")
    role: DealRole = F(description="Oversees, represents, sits on the board.")
    description: str | None = F(default=None, description="Notes.")
