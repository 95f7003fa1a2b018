"""Funding rounds, investments, and what each investment was paid with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.rounds import (
    CONSIDERATION_COMPONENT_FIELDS,
    FUNDING_ROUND_FIELDS,
    INVESTMENT_FIELDS,
)
from service.schema.common import (
    ConsiderationKind,
    InvestmentStatus,
    Money,
    PartialDate,
    RoundStatus,
    RoundType,
    ShareRange,
)
from service.schema.filters import InvestmentFilter, InvestmentOrder
from service.schema.history import Version, Versioned
from service.schema.mapped import connection, field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Connection, Node

if TYPE_CHECKING:
    from service.schema.credits import CreditProgram, CreditType
    from service.schema.deal_people import InvestmentPerson
    from service.schema.exits import Exit
    from service.schema.funds import Fund
    from service.schema.people import Person
    from service.schema.sources import Claim

R = FUNDING_ROUND_FIELDS
I = INVESTMENT_FIELDS  # noqa: E741 - the module's three maps read as R, I, C
C = CONSIDERATION_COMPONENT_FIELDS


@strawberry.type(description="A funding round raised by an organization.")
@reads(R)
class FundingRound(Node, Versioned):
    round_type: RoundType = field(R, "roundType", "Seed, series A…, strategic…")
    status: RoundStatus = field(R, "status", "Rumoured, announced or closed.")
    announced_on: PartialDate | None = field(
        R, "announcedOn", "When it was announced, to the precision known."
    )
    amount: Money | None = field(R, "amount", "Amount raised; null if undisclosed.")
    pre_money_valuation: Money | None = field(R, "preMoneyValuation", "Pre-money valuation.")
    post_money_valuation: Money | None = field(R, "postMoneyValuation", "Post-money valuation.")
    description: str | None = field(R, "description", "Notes on the round.")
    history: list[Version[FundingRound]] = history(R)
    organization: Organization = field(R, "organization", "The organization that raised the round.")
    investments: Connection[Investment] = connection(
        R,
        "investments",
        "Who invested in the round, leads first by default.",
        filter_type=InvestmentFilter,
        order_type=InvestmentOrder,
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        R, "claims", "Claims supporting the round, with their sources."
    )


@strawberry.type(
    description="One investor's participation in one funding round: an organization's, or a "
    "person's investing as an angel (exactly one of `investor` and `investorPerson`)."
)
@reads(I)
class Investment(Node, Versioned):
    is_lead: bool = field(I, "isLead", "True if the investor led the round.")
    amount: Money | None = field(
        I, "amount", "Amount committed by this investor; null if undisclosed."
    )
    stake: ShareRange | None = field(
        I, "stake", "Equity stake acquired, as a fraction range, if known."
    )
    stake_estimated: bool = field(I, "stakeEstimated", "True if the stake is an estimate.")
    description: str | None = field(I, "description", "Notes on the investment.")
    history: list[Version[Investment]] = history(I)
    investor: Organization | None = field(
        I, "investor", "The investing organization; null when a person invested (an angel)."
    )
    investor_person: Annotated[Person, strawberry.lazy("service.schema.people")] | None = field(
        I, "investorPerson", "The person who invested as an angel; null for an organization."
    )
    organization: Organization = field(
        I, "organization", "The organization invested in (the round's raiser)."
    )
    round: FundingRound = field(I, "round", "The round this investment is part of.")
    consideration: list[ConsiderationComponent] = field(
        I,
        "consideration",
        "What the investor gives: cash, cloud credits, traffic promotion… each with its amount "
        "or share range and its strings attached. Empty if the split is unknown.",
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        I, "claims", "Claims supporting the investment, with their sources."
    )
    fund: Annotated[Fund, strawberry.lazy("service.schema.funds")] | None = field(
        I, "fund", "The fund the investment was made through, if known."
    )
    status: InvestmentStatus = field(
        I, "status", "Whether it is still held, partly exited or exited (from its exits)."
    )
    exits: list[Annotated[Exit, strawberry.lazy("service.schema.exits")]] = field(
        I, "exits", "How and when the holding ended, in whole or in part, earliest first."
    )
    people: list[Annotated[InvestmentPerson, strawberry.lazy("service.schema.deal_people")]] = (
        field(I, "people", "People who oversee or represent the investor on it (F8).")
    )


@strawberry.type(
    description="One part of what an investor gives for its stake, with its strings attached."
)
@reads(C)
class ConsiderationComponent(Node, Versioned):
    kind: ConsiderationKind = field(C, "kind", "Cash, cloud credits, promotion…")
    amount: Money | None = field(C, "amount", "Its amount, where known.")
    share: ShareRange | None = field(
        C, "share", "Its share of the investment as a range, where only that is known."
    )
    estimated: bool = field(C, "estimated", "True if amount or share is an estimate.")
    escrow: bool | None = field(
        C, "escrow", "True if held in escrow rather than transferred; null if unknown."
    )
    recognized_as_revenue_by_provider: bool | None = field(
        C,
        "recognizedAsRevenueByProvider",
        "True if the provider books it as its own revenue; null if unknown.",
    )
    spend_restriction: str | None = field(
        C, "spendRestriction", 'Conditions on spending it, e.g. "must be spent on Azure".'
    )
    description: str | None = field(C, "description", "Notes on the component.")
    history: list[Version[ConsiderationComponent]] = history(C)
    provider: Organization | None = field(
        C, "provider", "Who provides the credits or services, where it applies."
    )
    spend_restricted_to: Organization | None = field(
        C, "spendRestrictedTo", "Whose platform it must be spent on, where restricted."
    )
    credit_type: Annotated[CreditType, strawberry.lazy("service.schema.credits")] | None = field(
        C, "creditType", "The type of credit, for credit components."
    )
    credit_program: Annotated[CreditProgram, strawberry.lazy("service.schema.credits")] | None = (
        field(C, "creditProgram", "The standing credit program it was given under, if any.")
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        C, "claims", "Claims supporting this component, with their sources."
    )
