"""Funds: pools of capital an investor manages, their limited partners, and the investments
made through them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.funds import FUND_COMMITMENT_FIELDS, FUND_FIELDS, FUND_INVESTMENT_FIELDS
from service.schema.common import Money, PartialDate, ShareRange
from service.schema.filters import InvestmentFilter, InvestmentOrder
from service.schema.history import Version, Versioned
from service.schema.mapped import connection, field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Connection, Node

if TYPE_CHECKING:
    from service.schema.rounds import Investment
    from service.schema.sources import Claim

F = FUND_FIELDS
C = FUND_COMMITMENT_FIELDS
L = FUND_INVESTMENT_FIELDS


@strawberry.type(description="A limited partner's commitment to a fund.")
@reads(C)
class FundCommitment(Node, Versioned):
    amount: Money | None = field(C, "amount", "The amount committed, where known.")
    share: ShareRange | None = field(C, "share", "Its share of the fund, where known.")
    committed_on: PartialDate | None = field(C, "committedOn", "When it committed.")
    ended_on: PartialDate | None = field(C, "endedOn", "When the commitment ended, if it did.")
    description: str | None = field(C, "description", "Notes on the commitment.")
    history: list[Version[FundCommitment]] = history(C)
    fund: Fund = field(C, "fund", "The fund.")
    limited_partner: Organization = field(C, "limitedPartner", "Who committed the capital.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        C, "claims", "Claims supporting the commitment, with their sources."
    )


@strawberry.type(
    description="A pool of capital an investor organization manages, raised from limited "
    "partners; investments can be made through it."
)
@reads(F)
class Fund(Node, Versioned):
    slug: str = field(F, "slug", "Stable, URL-safe identifier.")
    name: str = field(F, "name", "The fund's name.")
    vintage_year: int | None = field(F, "vintageYear", "The year of its first close.")
    target_size: Money | None = field(F, "targetSize", "The size it set out to raise.")
    final_size: Money | None = field(F, "finalSize", "The size it closed at.")
    strategy: str | None = field(F, "strategy", "What it invests in, e.g. `early-stage AI`.")
    description: str | None = field(F, "description", "Notes on the fund.")
    history: list[Version[Fund]] = history(F)
    manager: Organization = field(F, "manager", "The investor organization managing it.")
    limited_partners: Connection[FundCommitment] = connection(
        F, "limitedPartners", "Its limited partners' commitments, in the order recorded."
    )
    investments: Connection[Annotated[Investment, strawberry.lazy("service.schema.rounds")]] = (
        connection(
            F,
            "investments",
            "Investments made through the fund, leads first by default.",
            filter_type=InvestmentFilter,
            order_type=InvestmentOrder,
        )
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        F, "claims", "Claims about the fund, with their sources."
    )


@strawberry.type(description="An investment made through a fund.")
@reads(L)
class FundInvestment(Node, Versioned):
    history: list[Version[FundInvestment]] = history(L)
    fund: Fund = field(L, "fund", "The fund.")
    investment: Annotated[Investment, strawberry.lazy("service.schema.rounds")] = field(
        L, "investment", "The investment made through it."
    )
