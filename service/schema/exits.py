"""Exits: how, when and for how much an investment ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.exits import EXIT_FIELDS
from service.schema.common import ExitKind, Money, PartialDate, ShareRange
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.acquisitions import Acquisition
    from service.schema.listings import Listing
    from service.schema.rounds import Investment
    from service.schema.sources import Claim

X = EXIT_FIELDS


@strawberry.type(
    description="An investment's end, whole or in part: sold in an acquisition or a "
    "secondary, divested, written off, or realised through a listing."
)
@reads(X)
class Exit(Node, Versioned):
    kind: ExitKind = field(X, "kind", "How it ended.")
    exited_on: PartialDate | None = field(X, "exitedOn", "When.")
    proceeds: Money | None = field(X, "proceeds", "What the investor received, if known.")
    share: ShareRange | None = field(
        X, "share", "The part of the holding that ended; null for all of it."
    )
    description: str | None = field(X, "description", "Notes on the exit.")
    history: list[Version[Exit]] = history(X)
    investment: Annotated[Investment, strawberry.lazy("service.schema.rounds")] = field(
        X, "investment", "The investment that ended."
    )
    counterparty: Organization | None = field(
        X, "counterparty", "Who bought the stake, if anyone did."
    )
    acquisition: Annotated[Acquisition, strawberry.lazy("service.schema.acquisitions")] | None = (
        field(X, "acquisition", "The acquisition it was sold in.")
    )
    listing: Annotated[Listing, strawberry.lazy("service.schema.listings")] | None = field(
        X, "listing", "The listing it was realised through."
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        X, "claims", "Claims supporting the exit, with their sources."
    )
