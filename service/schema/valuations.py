"""Valuations over time: what an organization was worth on a date, and on what basis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.valuations import VALUATION_FIELDS
from service.schema.common import Money, PartialDate, ValuationBasis
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.listings import Listing
    from service.schema.rounds import FundingRound
    from service.schema.sources import Claim

V = VALUATION_FIELDS


@strawberry.type(
    description="What an organization was worth on a date, and on what basis: a round's "
    "post-money, a secondary sale, its market capitalisation or a reported estimate."
)
@reads(V)
class Valuation(Node, Versioned):
    basis: ValuationBasis = field(V, "basis", "What the value is based on.")
    valued_on: PartialDate | None = field(V, "valuedOn", "The date it values the organization at.")
    value: Money = field(V, "value", "What the organization was worth.")
    description: str | None = field(V, "description", "Notes on the valuation.")
    history: list[Version[Valuation]] = history(V)
    organization: Organization = field(V, "organization", "The organization valued.")
    round: Annotated[FundingRound, strawberry.lazy("service.schema.rounds")] | None = field(
        V, "round", "The round whose post-money valuation this is."
    )
    listing: Annotated[Listing, strawberry.lazy("service.schema.listings")] | None = field(
        V, "listing", "The listing whose market value this is."
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        V, "claims", "Claims supporting the valuation, with their sources."
    )
