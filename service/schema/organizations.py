"""Organizations: start-ups, investors, corporates, providers — and everything hanging off them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.organizations import NAME_FIELDS, ORGANIZATION_FIELDS
from service.schema.common import (
    NameKind,
    OrganizationKind,
    PartialDate,
    RelationshipDirection,
    RelationshipKind,
    UsdAmountRange,
)
from service.schema.deal_filters import (
    AcquisitionFilter,
    AcquisitionOrder,
    FundFilter,
    FundOrder,
    ListingFilter,
    ListingOrder,
    ValuationFilter,
    ValuationOrder,
)
from service.schema.filters import (
    FundingRoundFilter,
    FundingRoundOrder,
    InvestmentFilter,
    InvestmentOrder,
)
from service.schema.history import Version, Versioned
from service.schema.mapped import connection, field, history, parameter, reads
from service.schema.relay import Connection, Node

if TYPE_CHECKING:
    from service.schema.acquisitions import Acquisition
    from service.schema.compute import ComputeAsset
    from service.schema.credits import CreditProgram
    from service.schema.events import Event
    from service.schema.funds import Fund, FundCommitment
    from service.schema.listings import Listing
    from service.schema.people import PersonRole
    from service.schema.products import Product
    from service.schema.relationships import Relationship
    from service.schema.rounds import FundingRound, Investment
    from service.schema.sources import Claim
    from service.schema.valuations import Valuation

F = ORGANIZATION_FIELDS
N = NAME_FIELDS


@strawberry.type(description="A name of an organization in one language and script.")
@reads(N)
class Name(Node, Versioned):
    value: str = field(N, "value", "The name as written.")
    language: str = field(N, "language", "BCP 47 language tag, e.g. `en`, `ar`, `zh-Hans`.")
    script: str = field(N, "script", "ISO 15924 script code, e.g. `Latn`, `Arab`, `Hans`.")
    kind: NameKind = field(N, "kind", "Legal, common, former, transliteration…")
    is_primary: bool = field(N, "isPrimary", "True for the organization's display name.")
    history: list[Version[Name]] = history(N)


@strawberry.type(
    description="A company or institution: start-up, investor, corporate, cloud provider, "
    "platform, VC firm, analyst firm, chipmaker… An organization can be several kinds."
)
@reads(F)
class Organization(Node, Versioned):
    slug: str = field(F, "slug", "Stable, URL-safe identifier, e.g. `moonshot-ai`.")
    name: str = field(F, "name", "Display name (its primary name).")
    kinds: list[OrganizationKind] = field(F, "kinds", "What the organization is.")
    country: str | None = field(F, "country", "ISO 3166-1 alpha-2 country code.")
    founded_on: PartialDate | None = field(F, "foundedOn", "When it was founded.")
    website: str | None = field(F, "website", "Its website.")
    description: str | None = field(F, "description", "A short description.")
    history: list[Version[Organization]] = history(F)
    names: list[Name] = field(F, "names", "All its names, in every language and script stored.")
    parent: Organization | None = field(
        F, "parent", "The organization it belongs to (e.g. Alibaba Cloud → Alibaba)."
    )
    subsidiaries: Connection[Organization] = connection(
        F, "subsidiaries", "Organizations whose parent this is."
    )
    funding_rounds: Connection[
        Annotated[FundingRound, strawberry.lazy("service.schema.rounds")]
    ] = connection(
        F,
        "fundingRounds",
        "Funding rounds it raised, latest first by default.",
        filter_type=FundingRoundFilter,
        order_type=FundingRoundOrder,
    )
    investments: Connection[Annotated[Investment, strawberry.lazy("service.schema.rounds")]] = (
        connection(
            F,
            "investments",
            "Investments it made (its portfolio), leads first by default.",
            filter_type=InvestmentFilter,
            order_type=InvestmentOrder,
        )
    )
    products: Connection[Annotated[Product, strawberry.lazy("service.schema.products")]] = (
        connection(F, "products", "Products it makes.")
    )
    people: Connection[Annotated[PersonRole, strawberry.lazy("service.schema.people")]] = (
        connection(F, "people", "People's roles at this organization, latest first.")
    )
    relationships: Connection[
        Annotated[Relationship, strawberry.lazy("service.schema.relationships")]
    ] = connection(
        F,
        "relationships",
        "Its relationships with other organizations.",
        arguments=[
            parameter(
                "direction",
                Annotated[
                    RelationshipDirection,
                    strawberry.argument(description="From this organization, to it, or both."),
                ],
                RelationshipDirection.BOTH,
            ),
            parameter(
                "kinds",
                Annotated[
                    list[RelationshipKind] | None,
                    strawberry.argument(description="Only relationships of these kinds."),
                ],
            ),
        ],
    )
    compute_assets: Connection[
        Annotated[ComputeAsset, strawberry.lazy("service.schema.compute")]
    ] = connection(F, "computeAssets", "GPU holdings and other compute it owns.")
    events: Connection[Annotated[Event, strawberry.lazy("service.schema.events")]] = connection(
        F, "events", "Events it took part in, latest first."
    )
    credit_programs: Connection[
        Annotated[CreditProgram, strawberry.lazy("service.schema.credits")]
    ] = connection(F, "creditPrograms", "Credit programs it offers (credits for equity).")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        F, "claims", "Claims about the organization itself, with their sources."
    )
    acquisitions: Connection[
        Annotated[Acquisition, strawberry.lazy("service.schema.acquisitions")]
    ] = connection(
        F,
        "acquisitions",
        "Acquisitions it made (as the buyer), latest first by default.",
        filter_type=AcquisitionFilter,
        order_type=AcquisitionOrder,
    )
    acquired_by: Connection[
        Annotated[Acquisition, strawberry.lazy("service.schema.acquisitions")]
    ] = connection(
        F,
        "acquiredBy",
        "Acquisitions of it, or of stakes in it, latest first by default.",
        filter_type=AcquisitionFilter,
        order_type=AcquisitionOrder,
    )
    listings: Connection[Annotated[Listing, strawberry.lazy("service.schema.listings")]] = (
        connection(
            F,
            "listings",
            "Its listings on exchanges (IPOs), planned, done or withdrawn, latest first.",
            filter_type=ListingFilter,
            order_type=ListingOrder,
        )
    )
    valuations: Connection[Annotated[Valuation, strawberry.lazy("service.schema.valuations")]] = (
        connection(
            F,
            "valuations",
            "What it was worth over time, on every basis, latest first by default.",
            filter_type=ValuationFilter,
            order_type=ValuationOrder,
        )
    )
    latest_valuation: Annotated[Valuation, strawberry.lazy("service.schema.valuations")] | None = (
        field(
            F,
            "latestValuation",
            "Its latest valuation of any basis (its `basis` says which); null if none is known.",
        )
    )
    funds_managed: Connection[Annotated[Fund, strawberry.lazy("service.schema.funds")]] = (
        connection(
            F,
            "fundsManaged",
            "Funds it manages, by name unless ordered otherwise.",
            filter_type=FundFilter,
            order_type=FundOrder,
        )
    )
    fund_commitments: Connection[
        Annotated[FundCommitment, strawberry.lazy("service.schema.funds")]
    ] = connection(
        F,
        "fundCommitments",
        "Its commitments to funds as a limited partner: who it stands behind.",
    )
    # Summary figures, kept on write (docs/entities.md).
    rounds_count: int = field(F, "roundsCount", "How many funding rounds it raised.")
    unvalued_rounds_count: int = field(
        F,
        "unvaluedRoundsCount",
        "Of its rounds, how many have no USD value (undisclosed amount, or no rate for its "
        "currency): left out of `totalRaisedUsd`.",
    )
    total_raised_usd: UsdAmountRange | None = field(
        F,
        "totalRaisedUsd",
        "The USD total of its valued rounds, each at the latest rate on or before its date; "
        "null if none is valued.",
    )
    last_round: Annotated[FundingRound, strawberry.lazy("service.schema.rounds")] | None = field(
        F, "lastRound", "Its latest round (undated ones count as earliest); null if none."
    )
    last_round_date: PartialDate | None = field(
        F, "lastRoundDate", "The date of its latest round; null if undated or none."
    )
    investors_count: int = field(
        F,
        "investorsCount",
        "How many distinct investors put money in its rounds: organizations and angels "
        "(people) alike.",
    )
    leads_count: int = field(
        F,
        "leadsCount",
        "How many distinct investors (organizations and angels) led at least one of its rounds.",
    )
    acquisitions_count: int = field(
        F, "acquisitionsCount", "How many acquisitions it made as the buyer (cancelled left out)."
    )
    exits_count: int = field(
        F,
        "exitsCount",
        "How many exits it took part in: exits of investments it made, and exits of "
        "investments in its rounds, each counted once.",
    )
