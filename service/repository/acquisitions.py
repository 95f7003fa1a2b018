"""Acquisitions and what the acquirer pays with: entities, filter leaves, orderings and read
model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match, recorded_since, sorted_date_range
from service.repository.entities import Entity

A = t.acquisition

ACQUISITION_LEAVES: dict[str, Leaf] = {
    "id": eq_in(A.c.id),
    "acquirer": org_match(A.c.acquirer_id),
    "acquired": org_match(A.c.acquired_id),
    "status": eq_in(A.c.status),
    "date": sorted_date_range(func.coalesce(A.c.completed_on, A.c.announced_on), A.c.sort_on),
    "updatedSince": recorded_since(A),
}


def _acquisitions() -> Select[Any]:
    # The price is valued in USD on the day the deal completed, else when it was announced.
    return select(A, func.coalesce(A.c.completed_on, A.c.announced_on).label("priced_on"))


def _components() -> Select[Any]:
    # The acquisition's date rides along through a LEFT JOIN on a NOT NULL key (see rounds.py).
    c = t.acquisition_component
    return select(
        c, func.coalesce(A.c.completed_on, A.c.announced_on).label("priced_on")
    ).outerjoin_from(c, A, c.c.acquisition_id == A.c.id)


ACQUISITION = Entity(
    "acquisition",
    A,
    _acquisitions,
    ACQUISITION_LEAVES,
    {
        "DATE": (A.c.sort_on, "date"),
        "PRICE": (func.coalesce(A.c.price_amount, -1), "decimal"),
        "CREATED_AT": (A.c.created_at, "datetime"),
    },
    (("DATE", True),),
)

ACQUISITION_COMPONENT = Entity("acquisition_component", t.acquisition_component, _components)

ACQUISITION_FIELDS = m.TypeMap(
    "Acquisition",
    ACQUISITION,
    {
        "status": m.Value("status"),
        "announcedOn": m.PartialDate("announced"),
        "completedOn": m.PartialDate("completed"),
        "price": m.Money("price", "priced_on"),
        "stake": m.Share("stake"),
        "description": m.Value("description"),
        "acquirer": m.ToOne("Organization", "acquirer_id"),
        "acquired": m.ToOne("Organization", "acquired_id"),
        "consideration": m.Rows("AcquisitionComponent", "acquisition_id", ("position", "id")),
        "claims": m.Claims("acquisition_id"),
    },
)

ACQUISITION_COMPONENT_FIELDS = m.TypeMap(
    "AcquisitionComponent",
    ACQUISITION_COMPONENT,
    {
        "kind": m.Value("kind"),
        "amount": m.Money("value", "priced_on"),
        "share": m.Share("share"),
        "estimated": m.Value("estimated"),
        "description": m.Value("description"),
    },
)
