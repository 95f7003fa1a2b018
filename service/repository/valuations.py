"""Valuations over time: entity, filter leaves, orderings and read model, and the latest
valuation of an organization."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match, recorded_since, sorted_date_range
from service.repository.entities import UNKNOWN_AMOUNT, Entity, plain

V = t.valuation

VALUATION_LEAVES: dict[str, Leaf] = {
    "id": eq_in(V.c.id),
    "organization": org_match(V.c.organization_id),
    "basis": eq_in(V.c.basis),
    "valued": sorted_date_range(V.c.valued_on, V.c.sort_on),
    "updatedSince": recorded_since(V),
}

VALUATION = Entity(
    "valuation",
    V,
    plain(V),
    VALUATION_LEAVES,
    {
        "VALUED_ON": (V.c.sort_on, "date"),
        "VALUE": (func.coalesce(V.c.value_amount, UNKNOWN_AMOUNT), "decimal"),
        "CREATED_AT": (V.c.created_at, "datetime"),
    },
    (("VALUED_ON", True),),
)


def latest_valuation_id(organization_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """The organization's latest valuation of any basis (undated ones count as earliest; ties
    go to the later record): one backward step of ``ix_valuation_organization_sort``."""
    return (
        V.select()
        .with_only_columns(V.c.id)
        .where(V.c.organization_id == organization_id)
        .order_by(V.c.sort_on.desc(), V.c.id.desc())
        .limit(1)
        .correlate_except(V)
        .scalar_subquery()
    )


VALUATION_FIELDS = m.TypeMap(
    "Valuation",
    VALUATION,
    {
        "basis": m.Value("basis"),
        "valuedOn": m.PartialDate("valued"),
        "value": m.Money("value", "valued_on"),
        "description": m.Value("description"),
        "organization": m.ToOne("Organization", "organization_id"),
        "round": m.ToOne("FundingRound", "round_id"),
        "listing": m.ToOne("Listing", "listing_id"),
        "claims": m.Claims("valuation_id"),
    },
)
