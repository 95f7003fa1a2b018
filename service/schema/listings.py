"""IPOs and listings: an organization's shares on an exchange, from plan to trading."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.listings import LISTING_FIELDS
from service.schema.common import ListingStatus, Money, PartialDate
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

L = LISTING_FIELDS


@strawberry.type(
    description="An organization's listing on an exchange (an IPO or direct listing), from "
    "plan to trading, or withdrawn."
)
@reads(L)
class Listing(Node, Versioned):
    status: ListingStatus = field(L, "status", "How far it has gone.")
    exchange: str | None = field(L, "exchange", "The exchange, e.g. `HKEX`, `NYSE`, if known.")
    ticker: str | None = field(L, "ticker", "The ticker symbol, if known.")
    announced_on: PartialDate | None = field(L, "announcedOn", "When the plan was announced.")
    filed_on: PartialDate | None = field(L, "filedOn", "When the listing application was filed.")
    listed_on: PartialDate | None = field(L, "listedOn", "When trading began.")
    withdrawn_on: PartialDate | None = field(
        L, "withdrawnOn", "When the plan or filing was withdrawn."
    )
    withdrawal_reason: str | None = field(
        L, "withdrawalReason", "Why it was withdrawn, as reported."
    )
    shares_offered: str | None = field(
        L, "sharesOffered", "Shares offered, a decimal string; null if unknown."
    )
    raised: Money | None = field(L, "raised", "Money raised by the offering.")
    valuation: Money | None = field(L, "valuation", "The valuation at listing (market value).")
    description: str | None = field(L, "description", "Notes on the listing.")
    history: list[Version[Listing]] = history(L)
    organization: Organization = field(L, "organization", "The organization being listed.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        L, "claims", "Claims supporting the listing, with their sources."
    )
