"""IPOs and listings: entity, filter leaves, orderings and read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match, recorded_since, sorted_date_range
from service.repository.entities import Entity

L = t.listing

LISTING_LEAVES: dict[str, Leaf] = {
    "id": eq_in(L.c.id),
    "organization": org_match(L.c.organization_id),
    "status": eq_in(L.c.status),
    "exchange": eq_in(L.c.exchange),
    "date": sorted_date_range(
        func.coalesce(L.c.listed_on, L.c.withdrawn_on, L.c.filed_on, L.c.announced_on), L.c.sort_on
    ),
    "updatedSince": recorded_since(L),
}


def _listings() -> Select[Any]:
    # Money raised and the valuation are valued in USD on the listing day, else the latest step.
    return select(
        L,
        func.coalesce(L.c.listed_on, L.c.withdrawn_on, L.c.filed_on, L.c.announced_on).label(
            "valued_on"
        ),
    )


LISTING = Entity(
    "listing",
    L,
    _listings,
    LISTING_LEAVES,
    {
        "DATE": (L.c.sort_on, "date"),
        "RAISED": (func.coalesce(L.c.raised_amount, -1), "decimal"),
        "CREATED_AT": (L.c.created_at, "datetime"),
    },
    (("DATE", True),),
)

LISTING_FIELDS = m.TypeMap(
    "Listing",
    LISTING,
    {
        "status": m.Value("status"),
        "exchange": m.Value("exchange"),
        "ticker": m.Value("ticker"),
        "announcedOn": m.PartialDate("announced"),
        "filedOn": m.PartialDate("filed"),
        "listedOn": m.PartialDate("listed"),
        "withdrawnOn": m.PartialDate("withdrawn"),
        "withdrawalReason": m.Value("withdrawal_reason"),
        "sharesOffered": m.Decimal("shares_offered"),
        "raised": m.Money("raised", "valued_on"),
        "valuation": m.Money("valuation", "valued_on"),
        "description": m.Value("description"),
        "organization": m.ToOne("Organization", "organization_id"),
        "claims": m.Claims("listing_id"),
    },
)
