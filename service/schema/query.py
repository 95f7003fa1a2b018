"""The root query type: entry points into the graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import asyncpg
import strawberry

from service import domain
from service.repository import entities as e
from service.repository.filters import FilterNode
from service.schema.context import Context
from service.schema.credits import CreditProgram, CreditType
from service.schema.events import Event
from service.schema.filters import (
    EventFilter,
    FundingRoundFilter,
    FundingRoundOrder,
    InvestmentFilter,
    InvestmentOrder,
    OrganizationFilter,
    OrganizationOrder,
    PersonFilter,
    ProductFilter,
    SourceFilter,
    investment_filter_node,
    to_node,
)
from service.schema.history import AsOf
from service.schema.ids import GlobalIdError, decode_id_of
from service.schema.nodes import load_node
from service.schema.organizations import Organization
from service.schema.people import Person
from service.schema.products import Product
from service.schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    order_terms,
    page_args,
    root_connection,
    user_error,
)
from service.schema.rounds import FundingRound, Investment
from service.schema.sources import Source

Info = strawberry.Info[Context, None]
T = TypeVar("T")

MAX_NODES_IDS = 100


async def _list(
    info: Info,
    entity: e.Entity,
    node: FilterNode | None,
    order: tuple[tuple[str, bool], ...],
    first: int | None,
    last: int | None,
    after: str | None,
    before: str | None,
    make: Callable[[asyncpg.Record], T],
) -> Connection[T]:
    args = page_args(info.context, first, last, after, before)
    return await root_connection(info.context, entity, node, order, args, make)


def _with_kind(node: FilterNode | None, kind: domain.OrganizationKind) -> FilterNode:
    leaf: FilterNode = ("leaf", "kind", "in", (kind.value,))
    return ("and", (leaf,) if node is None else (leaf, node))


async def _one_by_slug(info: Info, entity: e.Entity, slug: str) -> Any:
    node: FilterNode = ("leaf", "slug", "eq", slug)
    base = entity.filtered(node)
    rows = await info.context.db.fetch(base.limit(1))
    return rows[0] if rows else None


@strawberry.type(description="Who invests in which AI start-ups, in which rounds, and with what.")
class Query:
    @strawberry.field(description="Fetches any object by its global ID; null if none has it.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
        as_of: AsOf = None,
    ) -> Node | None:
        try:
            return await load_node(info.context, str(id))
        except GlobalIdError as exc:
            raise user_error(str(exc)) from exc

    @strawberry.field(
        description=f"Fetches up to {MAX_NODES_IDS} objects by global ID, in the order given; "
        "null for IDs that name nothing."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Global IDs, at most 100.")
        ],
        as_of: AsOf = None,
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES_IDS:
            raise user_error(f"`ids` takes at most {MAX_NODES_IDS} IDs; got {len(ids)}.")
        try:
            return [await load_node(info.context, str(i)) for i in ids]
        except GlobalIdError as exc:
            raise user_error(str(exc)) from exc

    @strawberry.field(description="An organization by slug, e.g. `moonshot-ai`.")
    async def organization(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The organization's slug.")],
        as_of: AsOf = None,
    ) -> Organization | None:
        row = await _one_by_slug(info, e.ORGANIZATION, slug)
        return Organization.from_row(row) if row is not None else None

    @strawberry.field(description="Organizations, by name unless ordered otherwise.")
    async def organizations(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            OrganizationFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        order_by: Annotated[
            list[OrganizationOrder] | None,
            strawberry.argument(description="Sort terms, first one first; ties break on ID."),
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Organization]:
        return await _list(
            info, e.ORGANIZATION, to_node(filter), order_terms(order_by),
            first, last, after, before, Organization.from_row,
        )  # fmt: skip

    @strawberry.field(description="Organizations of kind INVESTOR.")
    async def investors(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            OrganizationFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        order_by: Annotated[
            list[OrganizationOrder] | None,
            strawberry.argument(description="Sort terms, first one first; ties break on ID."),
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Organization]:
        node = _with_kind(to_node(filter), domain.OrganizationKind.INVESTOR)
        return await _list(
            info, e.ORGANIZATION, node, order_terms(order_by),
            first, last, after, before, Organization.from_row,
        )  # fmt: skip

    @strawberry.field(description="Organizations of kind STARTUP.")
    async def startups(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            OrganizationFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        order_by: Annotated[
            list[OrganizationOrder] | None,
            strawberry.argument(description="Sort terms, first one first; ties break on ID."),
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Organization]:
        node = _with_kind(to_node(filter), domain.OrganizationKind.STARTUP)
        return await _list(
            info, e.ORGANIZATION, node, order_terms(order_by),
            first, last, after, before, Organization.from_row,
        )  # fmt: skip

    @strawberry.field(description="A funding round by global ID.")
    async def funding_round(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The round's global ID.")],
        as_of: AsOf = None,
    ) -> FundingRound | None:
        try:
            pk = decode_id_of(str(id), "FundingRound")
        except GlobalIdError as exc:
            raise user_error(str(exc)) from exc
        row = await info.context.loaders.row(e.FUNDING_ROUND).load(pk)
        return FundingRound.from_row(row) if row is not None else None

    @strawberry.field(description="Funding rounds, latest first unless ordered otherwise.")
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
        as_of: AsOf = None,
    ) -> Connection[FundingRound]:
        return await _list(
            info, e.FUNDING_ROUND, to_node(filter), order_terms(order_by),
            first, last, after, before, FundingRound.from_row,
        )  # fmt: skip

    @strawberry.field(description="Investments, leads first unless ordered otherwise.")
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
        as_of: AsOf = None,
    ) -> Connection[Investment]:
        return await _list(
            info, e.INVESTMENT, investment_filter_node(filter), order_terms(order_by),
            first, last, after, before, Investment.from_row,
        )  # fmt: skip

    @strawberry.field(description="Credit types: cloud compute, GPU hours, traffic promotion…")
    async def credit_types(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[CreditType]:
        return await _list(
            info, e.CREDIT_TYPE, None, (), first, last, after, before, CreditType.from_row
        )

    @strawberry.field(description="Credit programs: standing offers of credits for equity.")
    async def credit_programs(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[CreditProgram]:
        return await _list(
            info, e.CREDIT_PROGRAM, None, (), first, last, after, before, CreditProgram.from_row
        )

    @strawberry.field(description="A person by slug, e.g. `eddie-wu`.")
    async def person(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The person's slug.")],
        as_of: AsOf = None,
    ) -> Person | None:
        row = await _one_by_slug(info, e.PERSON, slug)
        return Person.from_row(row) if row is not None else None

    @strawberry.field(description="People, by name.")
    async def people(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            PersonFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Person]:
        return await _list(
            info, e.PERSON, to_node(filter), (), first, last, after, before, Person.from_row
        )

    @strawberry.field(description="Products, by name.")
    async def products(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            ProductFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Product]:
        return await _list(
            info, e.PRODUCT, to_node(filter), (), first, last, after, before, Product.from_row
        )

    @strawberry.field(description="Events, latest first.")
    async def events(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Event]:
        return await _list(
            info, e.EVENT, to_node(filter), (), first, last, after, before, Event.from_row
        )

    @strawberry.field(description="Sources, by publisher.")
    async def sources(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
        filter: Annotated[
            SourceFilter | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        as_of: AsOf = None,
    ) -> Connection[Source]:
        return await _list(
            info, e.SOURCE, to_node(filter), (), first, last, after, before, Source.from_row
        )
