"""The root query type: entry points into the graph (service/repository/registry.py
``ROOT_FIELDS`` declares what each reads)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from service.ids import GlobalIdError, decode_id_of
from service.repository.conditions import FilterNode
from service.repository.entities import fetch_first
from service.repository.registry import MAX_NODES_IDS, ROOT_FIELDS, BySlug, entity_of
from service.schema.acquisitions import Acquisition
from service.schema.changes import ChangePage, changes_field
from service.schema.context import Context, Info
from service.schema.costs import cost
from service.schema.credits import CreditProgram, CreditType
from service.schema.deal_filters import (
    AcquisitionFilter,
    AcquisitionOrder,
    ExitFilter,
    ExitOrder,
    FundFilter,
    FundOrder,
    ListingFilter,
    ListingOrder,
    ValuationFilter,
    ValuationOrder,
)
from service.schema.events import Event
from service.schema.exits import Exit
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
)
from service.schema.funds import Fund
from service.schema.history import AsOf
from service.schema.listings import Listing
from service.schema.mapped import make, root_list
from service.schema.nodes import load_node
from service.schema.organizations import Organization
from service.schema.people import Person
from service.schema.products import Product
from service.schema.relay import Connection, Node, user_error
from service.schema.rounds import FundingRound, Investment
from service.schema.sources import Source
from service.schema.valuations import Valuation


async def _one_by_slug(context: Context, name: str, slug: str) -> Any:
    declared = ROOT_FIELDS[name]
    assert isinstance(declared, BySlug)
    entity = entity_of(declared.type_name)
    node: FilterNode = ("leaf", "slug", "eq", slug)
    row = await fetch_first(context.db, entity, node)
    return make(declared.type_name, row) if row is not None else None


async def _node(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
) -> Node | None:
    try:
        return await load_node(info.context, str(id))
    except GlobalIdError as exc:
        raise user_error(str(exc)) from exc


async def _nodes(
    info: Info,
    ids: Annotated[
        list[strawberry.ID], strawberry.argument(description="Global IDs, at most 100.")
    ],
    as_of: AsOf = None,
) -> list[Node | None]:
    if len(ids) > MAX_NODES_IDS:
        raise user_error(f"`ids` takes at most {MAX_NODES_IDS} IDs; got {len(ids)}.")
    try:
        # Gathered, so that the loads of each type batch into one statement.
        return list(await asyncio.gather(*(load_node(info.context, str(i)) for i in ids)))
    except GlobalIdError as exc:
        raise user_error(str(exc)) from exc


async def _organization(
    info: Info,
    slug: Annotated[str, strawberry.argument(description="The organization's slug.")],
    as_of: AsOf = None,
) -> Organization | None:
    found: Organization | None = await _one_by_slug(info.context, "organization", slug)
    return found


async def _funding_round(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The round's global ID.")],
    as_of: AsOf = None,
) -> FundingRound | None:
    try:
        pk = decode_id_of(str(id), "FundingRound")
    except GlobalIdError as exc:
        raise user_error(str(exc)) from exc
    row = await info.context.loaders.row(entity_of("FundingRound")).load(pk)
    return FundingRound.from_row(row) if row is not None else None


async def _fund(
    info: Info,
    slug: Annotated[str, strawberry.argument(description="The fund's slug.")],
    as_of: AsOf = None,
) -> Fund | None:
    found: Fund | None = await _one_by_slug(info.context, "fund", slug)
    return found


async def _person(
    info: Info,
    slug: Annotated[str, strawberry.argument(description="The person's slug.")],
    as_of: AsOf = None,
) -> Person | None:
    found: Person | None = await _one_by_slug(info.context, "person", slug)
    return found


@strawberry.type(description="Who invests in which AI start-ups, in which rounds, and with what.")
class Query:
    node: Node | None = strawberry.field(
        resolver=_node,
        description="Fetches any object by its global ID; null if none has it. Relay's "
        "refetch field: it takes the ID alone, and reads as of a recorded time through the "
        "`Stakegraph-As-Of` request header.",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=_nodes,
        description=f"Fetches up to {MAX_NODES_IDS} objects by global ID, in the order given; "
        "null for IDs that name nothing.",
        metadata=cost(items="ids"),
    )
    organization: Organization | None = strawberry.field(
        resolver=_organization, description="An organization by slug, e.g. `moonshot-ai`."
    )
    organizations: Connection[Organization] = root_list(
        "organizations",
        "Organizations, by name unless ordered otherwise.",
        filter_type=OrganizationFilter,
        order_type=OrganizationOrder,
    )
    investors: Connection[Organization] = root_list(
        "investors",
        "Organizations of kind INVESTOR.",
        filter_type=OrganizationFilter,
        order_type=OrganizationOrder,
    )
    startups: Connection[Organization] = root_list(
        "startups",
        "Organizations of kind STARTUP.",
        filter_type=OrganizationFilter,
        order_type=OrganizationOrder,
    )

    funding_round: FundingRound | None = strawberry.field(
        resolver=_funding_round, description="A funding round by global ID."
    )
    funding_rounds: Connection[FundingRound] = root_list(
        "fundingRounds",
        "Funding rounds, latest first unless ordered otherwise.",
        filter_type=FundingRoundFilter,
        order_type=FundingRoundOrder,
    )
    investments: Connection[Investment] = root_list(
        "investments",
        "Investments, leads first unless ordered otherwise.",
        filter_type=InvestmentFilter,
        order_type=InvestmentOrder,
    )
    credit_types: Connection[CreditType] = root_list(
        "creditTypes", "Credit types: cloud compute, GPU hours, traffic promotion…"
    )
    credit_programs: Connection[CreditProgram] = root_list(
        "creditPrograms", "Credit programs: standing offers of credits for equity."
    )

    person: Person | None = strawberry.field(
        resolver=_person, description="A person by slug, e.g. `eddie-wu`."
    )
    people: Connection[Person] = root_list("people", "People, by name.", filter_type=PersonFilter)
    products: Connection[Product] = root_list(
        "products", "Products, by name.", filter_type=ProductFilter
    )
    events: Connection[Event] = root_list(
        "events", "Events, latest first.", filter_type=EventFilter
    )
    sources: Connection[Source] = root_list(
        "sources", "Sources, by publisher.", filter_type=SourceFilter
    )
    acquisitions: Connection[Acquisition] = root_list(
        "acquisitions",
        "Acquisitions, latest first unless ordered otherwise.",
        filter_type=AcquisitionFilter,
        order_type=AcquisitionOrder,
    )
    listings: Connection[Listing] = root_list(
        "listings",
        "Listings on exchanges (IPOs), planned, done or withdrawn; latest step first.",
        filter_type=ListingFilter,
        order_type=ListingOrder,
    )
    valuations: Connection[Valuation] = root_list(
        "valuations",
        "Valuations of every organization and basis, latest first unless ordered otherwise.",
        filter_type=ValuationFilter,
        order_type=ValuationOrder,
    )
    fund: Fund | None = strawberry.field(resolver=_fund, description="A fund by slug.")
    funds: Connection[Fund] = root_list(
        "funds",
        "Funds, by name unless ordered otherwise.",
        filter_type=FundFilter,
        order_type=FundOrder,
    )
    exits: Connection[Exit] = root_list(
        "exits",
        "Exits: how and when stakes ended, latest first unless ordered otherwise.",
        filter_type=ExitFilter,
        order_type=ExitOrder,
    )
    changes: ChangePage = changes_field
