"""Exits: how and when an investment ended; entity, filter leaves, orderings and read model, and
an investment's status that follows from its exits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import (
    Leaf,
    eq_in,
    org_match,
    recorded_since,
    sorted_date_range,
)
from service.repository.entities import UNKNOWN_AMOUNT, Entity, plain

X = t.exit_


def _investor(op: str, value: Any) -> ColumnElement[bool]:
    inv = t.investment
    held = select(inv.c.id).where(org_match(inv.c.investor_id)(op, value))
    return X.c.investment_id.in_(held.scalar_subquery())


def _investee(op: str, value: Any) -> ColumnElement[bool]:
    inv, r = t.investment, t.funding_round
    held = (
        select(inv.c.id)
        .join(r, r.c.id == inv.c.round_id)
        .where(org_match(r.c.organization_id)(op, value))
    )
    return X.c.investment_id.in_(held.scalar_subquery())


EXIT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(X.c.id),
    "investor": _investor,
    "organization": _investee,
    "counterparty": org_match(X.c.counterparty_id),
    "kind": eq_in(X.c.kind),
    "exited": sorted_date_range(X.c.exited_on, X.c.sort_on),
    "updatedSince": recorded_since(X),
}

EXIT = Entity(
    "exit",
    X,
    plain(X),
    EXIT_LEAVES,
    {
        "EXITED_ON": (X.c.sort_on, "date"),
        "PROCEEDS": (func.coalesce(X.c.proceeds_amount, UNKNOWN_AMOUNT), "decimal"),
        "CREATED_AT": (X.c.created_at, "datetime"),
    },
    (("EXITED_ON", True),),
)


def investment_status(investment_id: ColumnElement[Any]) -> ColumnElement[str]:
    """EXITED when an exit ended the whole holding (no share given, or all of it), else
    PARTIALLY_EXITED when any exit is recorded, else ACTIVE. One aggregate over the
    investment's exits through ``ix_exit_investment_sort``: an aggregate, unlike EXISTS, is
    never turned into a hashed subplan that reads the whole exit table."""
    whole = func.bool_or(or_(X.c.share_min.is_(None), X.c.share_min == 1))
    status: ColumnElement[str] = (
        select(
            case(
                (func.count() == 0, "ACTIVE"),
                (whole, "EXITED"),
                else_="PARTIALLY_EXITED",
            )
        )
        .where(X.c.investment_id == investment_id)
        .scalar_subquery()
    )
    return status


EXIT_FIELDS = m.TypeMap(
    "Exit",
    EXIT,
    {
        "kind": m.Value("kind"),
        "exitedOn": m.PartialDate("exited"),
        "proceeds": m.Money("proceeds", "exited_on"),
        "share": m.Share("share"),
        "description": m.Value("description"),
        "investment": m.ToOne("Investment", "investment_id"),
        "counterparty": m.ToOne("Organization", "counterparty_id"),
        "acquisition": m.ToOne("Acquisition", "acquisition_id"),
        "listing": m.ToOne("Listing", "listing_id"),
        "claims": m.Claims("exit_id"),
    },
)
