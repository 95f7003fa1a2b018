"""Organizations: start-ups, investors, corporates, providers — and everything hanging off them."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import asyncpg
import strawberry
from sqlalchemy import ColumnElement, or_

from service.db import tables as t
from service.repository import entities as e
from service.repository.filters import event_involves
from service.schema.claims_field import claims_of
from service.schema.common import (
    Name,
    OrganizationKind,
    PartialDate,
    RelationshipKind,
    partial_date,
)
from service.schema.context import Context, link_column
from service.schema.filters import (
    FundingRoundFilter,
    FundingRoundOrder,
    InvestmentFilter,
    InvestmentOrder,
    investment_filter_node,
    to_node,
)
from service.schema.history import (
    DEFAULT_VERSIONS,
    HISTORY_DESCRIPTION,
    HistoryFirst,
    Version,
    Versioned,
    versions_of,
)
from service.schema.ids import encode_id
from service.schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    child_connection,
    column_children,
    order_terms,
    page_args,
)

if TYPE_CHECKING:
    from service.schema.compute import ComputeAsset
    from service.schema.credits import CreditProgram
    from service.schema.events import Event
    from service.schema.people import PersonRole
    from service.schema.products import Product
    from service.schema.relationships import Relationship
    from service.schema.rounds import FundingRound, Investment
    from service.schema.sources import Claim

Info = strawberry.Info[Context, None]


@strawberry.enum(description="Which end of a relationship an organization is.")
class RelationshipDirection(Enum):
    OUTGOING = strawberry.enum_value("OUTGOING", description="This organization is the source.")
    INCOMING = strawberry.enum_value("INCOMING", description="This organization is the target.")
    BOTH = strawberry.enum_value("BOTH", description="Either end.")


@strawberry.type(
    description="A company or institution: start-up, investor, corporate, cloud provider, "
    "platform, VC firm, analyst firm, chipmaker… An organization can be several kinds."
)
class Organization(Node, Versioned):
    slug: str = strawberry.field(description="Stable, URL-safe identifier, e.g. `moonshot-ai`.")
    name: str = strawberry.field(description="Display name (its primary name).")
    kinds: list[OrganizationKind] = strawberry.field(description="What the organization is.")
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    founded_on: PartialDate | None = strawberry.field(description="When it was founded.")
    website: str | None = strawberry.field(description="Its website.")
    description: str | None = strawberry.field(description="A short description.")
    pk: strawberry.Private[int]
    parent_pk: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Organization:
        return Organization(
            id=strawberry.ID(encode_id("Organization", row["id"])),
            slug=row["slug"],
            name=row["name"],
            kinds=[OrganizationKind(k) for k in row["kinds"]],
            country=row["country"],
            founded_on=partial_date(row, "founded"),
            website=row["website"],
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            parent_pk=row["parent_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Organization]]:
        return await versions_of(
            info.context, e.ORGANIZATION, self.pk, Organization.from_row, first
        )

    @strawberry.field(description="All its names, in every language and script stored.")
    async def names(self, info: Info) -> list[Name]:
        rows = await info.context.loaders.rows_by(e.ORGANIZATION_NAME, "organization_id").load(
            self.pk
        )
        return [Name.from_row(r) for r in rows]

    @strawberry.field(description="The organization it belongs to (e.g. Alibaba Cloud → Alibaba).")
    async def parent(self, info: Info) -> Organization | None:
        return await load_organization(info.context, self.parent_pk)

    @strawberry.field(description="Organizations whose parent this is.")
    async def subsidiaries(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Organization]:
        return await column_children(
            info.context,
            e.ORGANIZATION,
            "parent",
            t.organization.c.parent_id,
            self.pk,
            Organization.from_row,
            page_args(info.context, first, last, after, before),
        )

    @strawberry.field(description="Funding rounds it raised, latest first by default.")
    async def funding_rounds(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            FundingRoundFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        order_by: Annotated[
            list[FundingRoundOrder] | None,
            strawberry.argument(description="Sort terms, first one first; ties break on ID."),
        ] = None,
    ) -> Connection[Annotated[FundingRound, strawberry.lazy("service.schema.rounds")]]:
        from service.schema.rounds import FundingRound

        return await child_connection(
            info.context,
            e.FUNDING_ROUND,
            "organization",
            link_column(t.funding_round.c.organization_id),
            self.pk,
            to_node(filter),
            order_terms(order_by),
            page_args(info.context, first, last, after, before),
            FundingRound.from_row,
        )

    @strawberry.field(description="Investments it made (its portfolio), leads first by default.")
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
    ) -> Connection[Annotated[Investment, strawberry.lazy("service.schema.rounds")]]:
        from service.schema.rounds import Investment

        return await child_connection(
            info.context,
            e.INVESTMENT,
            "investor",
            link_column(t.investment.c.investor_id),
            self.pk,
            investment_filter_node(filter),
            order_terms(order_by),
            page_args(info.context, first, last, after, before),
            Investment.from_row,
        )

    @strawberry.field(description="Products it makes.")
    async def products(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Annotated[Product, strawberry.lazy("service.schema.products")]]:
        from service.schema.products import Product

        return await column_children(
            info.context,
            e.PRODUCT,
            "organization",
            t.product.c.organization_id,
            self.pk,
            Product.from_row,
            page_args(info.context, first, last, after, before),
        )

    @strawberry.field(description="People's roles at this organization, latest first.")
    async def people(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Annotated[PersonRole, strawberry.lazy("service.schema.people")]]:
        from service.schema.people import PersonRole

        return await column_children(
            info.context,
            e.PERSON_ROLE,
            "organization",
            t.person_role.c.organization_id,
            self.pk,
            PersonRole.from_row,
            page_args(info.context, first, last, after, before),
        )

    @strawberry.field(description="Its relationships with other organizations.")
    async def relationships(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        direction: Annotated[
            RelationshipDirection,
            strawberry.argument(description="From this organization, to it, or both."),
        ] = RelationshipDirection.BOTH,
        kinds: Annotated[
            list[RelationshipKind] | None,
            strawberry.argument(description="Only relationships of these kinds."),
        ] = None,
    ) -> Connection[Annotated[Relationship, strawberry.lazy("service.schema.relationships")]]:
        from service.schema.relationships import Relationship

        rel = t.relationship

        def link(parent: ColumnElement[Any]) -> ColumnElement[bool]:
            if direction is RelationshipDirection.OUTGOING:
                return rel.c.source_id == parent
            if direction is RelationshipDirection.INCOMING:
                return rel.c.target_id == parent
            return or_(rel.c.source_id == parent, rel.c.target_id == parent)

        node = None
        if kinds:
            node = ("and", (("leaf", "kind", "in", tuple(k.value for k in kinds)),))
        return await child_connection(
            info.context,
            e.RELATIONSHIP,
            f"org:{direction.value}",
            link,
            self.pk,
            node,
            (),
            page_args(info.context, first, last, after, before),
            Relationship.from_row,
        )

    @strawberry.field(description="GPU holdings and other compute it owns.")
    async def compute_assets(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Annotated[ComputeAsset, strawberry.lazy("service.schema.compute")]]:
        from service.schema.compute import ComputeAsset

        return await column_children(
            info.context,
            e.COMPUTE_ASSET,
            "owner",
            t.compute_asset.c.owner_id,
            self.pk,
            ComputeAsset.from_row,
            page_args(info.context, first, last, after, before),
        )

    @strawberry.field(description="Events it took part in, latest first.")
    async def events(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Annotated[Event, strawberry.lazy("service.schema.events")]]:
        from service.schema.events import Event

        return await child_connection(
            info.context,
            e.EVENT,
            "participant",
            event_involves,
            self.pk,
            None,
            (),
            page_args(info.context, first, last, after, before),
            Event.from_row,
        )

    @strawberry.field(description="Credit programs it offers (credits for equity).")
    async def credit_programs(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Annotated[CreditProgram, strawberry.lazy("service.schema.credits")]]:
        from service.schema.credits import CreditProgram

        return await column_children(
            info.context,
            e.CREDIT_PROGRAM,
            "provider",
            t.credit_program.c.provider_id,
            self.pk,
            CreditProgram.from_row,
            page_args(info.context, first, last, after, before),
        )

    @strawberry.field(description="Claims about the organization itself, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "organization_id", self.pk)


async def load_organization(context: Context, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    row = await context.loaders.row(e.ORGANIZATION).load(pk)
    return Organization.from_row(row) if row is not None else None


async def require_organization(context: Context, pk: int) -> Organization:
    organization = await load_organization(context, pk)
    if organization is None:  # a foreign key guarantees it; a miss is a bug, not user input
        raise LookupError(f"organization {pk} vanished")
    return organization
