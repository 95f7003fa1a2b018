"""Funding rounds, investments, and what each investment was paid with."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.db import tables as t
from service.repository import entities as e
from service.schema.claims_field import claims_of
from service.schema.common import (
    ConsiderationKind,
    Money,
    PartialDate,
    RoundStatus,
    RoundType,
    ShareRange,
    money,
    partial_date,
    share_range,
)
from service.schema.context import Context, link_column
from service.schema.filters import InvestmentFilter, InvestmentOrder, investment_filter_node
from service.schema.history import (
    DEFAULT_VERSIONS,
    HISTORY_DESCRIPTION,
    HistoryFirst,
    Version,
    Versioned,
    versions_of,
)
from service.schema.ids import encode_id
from service.schema.organizations import Organization, load_organization, require_organization
from service.schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    child_connection,
    order_terms,
    page_args,
)

if TYPE_CHECKING:
    from service.schema.credits import CreditProgram, CreditType
    from service.schema.sources import Claim

Info = strawberry.Info[Context, None]


@strawberry.type(description="A funding round raised by an organization.")
class FundingRound(Node, Versioned):
    round_type: RoundType = strawberry.field(description="Seed, series A…, strategic…")
    status: RoundStatus = strawberry.field(description="Rumoured, announced or closed.")
    announced_on: PartialDate | None = strawberry.field(
        description="When it was announced, to the precision known."
    )
    amount: Money | None = strawberry.field(description="Amount raised; null if undisclosed.")
    pre_money_valuation: Money | None = strawberry.field(description="Pre-money valuation.")
    post_money_valuation: Money | None = strawberry.field(description="Post-money valuation.")
    description: str | None = strawberry.field(description="Notes on the round.")
    pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> FundingRound:
        on: dt.date | None = row["announced_on"]
        return FundingRound(
            id=strawberry.ID(encode_id("FundingRound", row["id"])),
            round_type=RoundType(row["round_type"]),
            status=RoundStatus(row["status"]),
            announced_on=partial_date(row, "announced"),
            amount=money(row, "raised", on),
            pre_money_valuation=money(row, "pre_money", on),
            post_money_valuation=money(row, "post_money", on),
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            organization_pk=row["organization_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[FundingRound]]:
        return await versions_of(
            info.context, e.FUNDING_ROUND, self.pk, FundingRound.from_row, first
        )

    @strawberry.field(description="The organization that raised the round.")
    async def organization(self, info: Info) -> Organization:
        return await require_organization(info.context, self.organization_pk)

    @strawberry.field(description="Who invested in the round, leads first by default.")
    async def investments(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            InvestmentFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        order_by: Annotated[
            list[InvestmentOrder] | None,
            strawberry.argument(description="Sort terms, first one first; ties break on ID."),
        ] = None,
    ) -> Connection[Investment]:
        return await child_connection(
            info.context,
            e.INVESTMENT,
            "round",
            link_column(t.investment.c.round_id),
            self.pk,
            investment_filter_node(filter),
            order_terms(order_by),
            page_args(info.context, first, last, after, before),
            Investment.from_row,
        )

    @strawberry.field(description="Claims supporting the round, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "funding_round_id", self.pk)


@strawberry.type(description="One investor's participation in one funding round.")
class Investment(Node, Versioned):
    is_lead: bool = strawberry.field(description="True if the investor led the round.")
    amount: Money | None = strawberry.field(
        description="Amount committed by this investor; null if undisclosed."
    )
    stake: ShareRange | None = strawberry.field(
        description="Equity stake acquired, as a fraction range, if known."
    )
    stake_estimated: bool = strawberry.field(description="True if the stake is an estimate.")
    description: str | None = strawberry.field(description="Notes on the investment.")
    pk: strawberry.Private[int]
    round_pk: strawberry.Private[int]
    investor_pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Investment:
        return Investment(
            id=strawberry.ID(encode_id("Investment", row["id"])),
            is_lead=row["is_lead"],
            amount=money(row, "committed", row["round_announced_on"]),
            stake=share_range(row, "stake"),
            stake_estimated=row["stake_estimated"],
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            round_pk=row["round_id"],
            investor_pk=row["investor_id"],
            organization_pk=row["round_organization_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Investment]]:
        return await versions_of(info.context, e.INVESTMENT, self.pk, Investment.from_row, first)

    @strawberry.field(description="The investor.")
    async def investor(self, info: Info) -> Organization:
        return await require_organization(info.context, self.investor_pk)

    @strawberry.field(description="The organization invested in (the round's raiser).")
    async def organization(self, info: Info) -> Organization:
        return await require_organization(info.context, self.organization_pk)

    @strawberry.field(description="The round this investment is part of.")
    async def round(self, info: Info) -> FundingRound:
        row = await info.context.loaders.row(e.FUNDING_ROUND).load(self.round_pk)
        if row is None:
            raise LookupError(f"funding round {self.round_pk} vanished")
        return FundingRound.from_row(row)

    @strawberry.field(
        description="What the investor gives: cash, cloud credits, traffic promotion… each with "
        "its amount or share range and its strings attached. Empty if the split is unknown."
    )
    async def consideration(self, info: Info) -> list[ConsiderationComponent]:
        loader = info.context.loaders.rows_by(e.CONSIDERATION_COMPONENT, "investment_id")
        rows = await loader.load(self.pk)
        return [ConsiderationComponent.from_row(r) for r in sorted(rows, key=_position)]

    @strawberry.field(description="Claims supporting the investment, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "investment_id", self.pk)


def _position(row: asyncpg.Record) -> int:
    position: int = row["position"]
    return position


@strawberry.type(
    description="One part of what an investor gives for its stake, with its strings attached."
)
class ConsiderationComponent(Node, Versioned):
    kind: ConsiderationKind = strawberry.field(description="Cash, cloud credits, promotion…")
    amount: Money | None = strawberry.field(description="Its amount, where known.")
    share: ShareRange | None = strawberry.field(
        description="Its share of the investment as a range, where only that is known."
    )
    estimated: bool = strawberry.field(description="True if amount or share is an estimate.")
    escrow: bool | None = strawberry.field(
        description="True if held in escrow rather than transferred; null if unknown."
    )
    recognized_as_revenue_by_provider: bool | None = strawberry.field(
        description="True if the provider books it as its own revenue; null if unknown."
    )
    spend_restriction: str | None = strawberry.field(
        description='Conditions on spending it, e.g. "must be spent on Azure".'
    )
    description: str | None = strawberry.field(description="Notes on the component.")
    pk: strawberry.Private[int]
    provider_pk: strawberry.Private[int | None]
    restricted_to_pk: strawberry.Private[int | None]
    credit_type_pk: strawberry.Private[int | None]
    credit_program_pk: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: asyncpg.Record) -> ConsiderationComponent:
        return ConsiderationComponent(
            id=strawberry.ID(encode_id("ConsiderationComponent", row["id"])),
            kind=ConsiderationKind(row["kind"]),
            amount=money(row, "value", row["round_announced_on"]),
            share=share_range(row, "share"),
            estimated=row["estimated"],
            escrow=row["escrow"],
            recognized_as_revenue_by_provider=row["recognized_as_revenue_by_provider"],
            spend_restriction=row["spend_restriction"],
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            provider_pk=row["provider_id"],
            restricted_to_pk=row["spend_restricted_to_id"],
            credit_type_pk=row["credit_type_id"],
            credit_program_pk=row["credit_program_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[ConsiderationComponent]]:
        return await versions_of(
            info.context, e.CONSIDERATION_COMPONENT, self.pk, ConsiderationComponent.from_row, first
        )

    @strawberry.field(description="Who provides the credits or services, where it applies.")
    async def provider(self, info: Info) -> Organization | None:
        return await load_organization(info.context, self.provider_pk)

    @strawberry.field(description="Whose platform it must be spent on, where restricted.")
    async def spend_restricted_to(self, info: Info) -> Organization | None:
        return await load_organization(info.context, self.restricted_to_pk)

    @strawberry.field(description="The type of credit, for credit components.")
    async def credit_type(
        self, info: Info
    ) -> Annotated[CreditType, strawberry.lazy("service.schema.credits")] | None:
        from service.schema.credits import CreditType

        if self.credit_type_pk is None:
            return None
        row = await info.context.loaders.row(e.CREDIT_TYPE).load(self.credit_type_pk)
        return CreditType.from_row(row) if row is not None else None

    @strawberry.field(description="The standing credit program it was given under, if any.")
    async def credit_program(
        self, info: Info
    ) -> Annotated[CreditProgram, strawberry.lazy("service.schema.credits")] | None:
        from service.schema.credits import CreditProgram

        if self.credit_program_pk is None:
            return None
        row = await info.context.loaders.row(e.CREDIT_PROGRAM).load(self.credit_program_pk)
        return CreditProgram.from_row(row) if row is not None else None

    @strawberry.field(description="Claims supporting this component, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "consideration_component_id", self.pk)
