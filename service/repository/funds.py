"""Funds, their limited partners' commitments and the investments made through them: entities,
filter leaves, orderings and read model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match, recorded_since
from service.repository.entities import Entity, plain

F = t.fund
C = t.fund_commitment
L = t.fund_investment


def _funds() -> Select[Any]:
    # Sizes are valued in USD at the start of the vintage year (the latest rate if unknown).
    return select(F, func.make_date(F.c.vintage_year, 1, 1).label("vintage_on"))


FUND_LEAVES: dict[str, Leaf] = {
    "id": eq_in(F.c.id),
    "slug": eq_in(F.c.slug),
    "manager": org_match(F.c.manager_id),
    "vintageYear": eq_in(F.c.vintage_year),
    "updatedSince": recorded_since(F),
}

FUND = Entity(
    "fund",
    F,
    _funds,
    FUND_LEAVES,
    {
        "NAME": (F.c.name, "text"),
        "VINTAGE_YEAR": (func.coalesce(F.c.vintage_year, 0), "int"),
        "CREATED_AT": (F.c.created_at, "datetime"),
    },
    (("NAME", False),),
)

FUND_COMMITMENT = Entity(
    "fund_commitment",
    C,
    plain(C),
    {"id": eq_in(C.c.id), "limitedPartner": org_match(C.c.limited_partner_id)},
    {"AMOUNT": (func.coalesce(C.c.amount_amount, -1), "decimal")},
)

FUND_INVESTMENT = Entity("fund_investment", L, plain(L))


def fund_of_investment(investment_id: ColumnElement[Any]) -> ColumnElement[Any]:
    """The fund an investment was made through, or NULL: a scalar subquery, which PostgreSQL
    evaluates only where the fund is read (a LEFT JOIN could be dropped only when the link
    table's key is provably unique, which the asOf views cannot show)."""
    fund_id: ColumnElement[Any] = (
        select(L.c.fund_id)
        .where(L.c.investment_id == investment_id)
        .correlate_except(L)
        .limit(1)
        .scalar_subquery()
    )
    return fund_id


def _through_fund(parent: ColumnElement[Any], arguments: Mapping[str, Any]) -> Any:
    # Correlated explicitly: nested in a count under the fund, auto-correlation would add the
    # fund page to the subquery's own FROM and count the investments of every fund on it.
    return t.investment.c.id.in_(
        select(L.c.investment_id).where(L.c.fund_id == parent).correlate_except(L)
    )


FUND_FIELDS = m.TypeMap(
    "Fund",
    FUND,
    {
        "slug": m.Value("slug"),
        "name": m.Value("name"),
        "vintageYear": m.Value("vintage_year"),
        "targetSize": m.Money("target_size", "vintage_on"),
        "finalSize": m.Money("final_size", "vintage_on"),
        "strategy": m.Value("strategy"),
        "description": m.Value("description"),
        "manager": m.ToOne("Organization", "manager_id"),
        "limitedPartners": m.children("FundCommitment", C.c.fund_id),
        "investments": m.Children(
            "Investment", _through_fund, lambda arguments: "fund_investment", filtered=True
        ),
        "claims": m.Claims("fund_id"),
    },
)

FUND_COMMITMENT_FIELDS = m.TypeMap(
    "FundCommitment",
    FUND_COMMITMENT,
    {
        "amount": m.Money("amount", "committed_on"),
        "share": m.Share("share"),
        "committedOn": m.PartialDate("committed"),
        "endedOn": m.PartialDate("ended"),
        "description": m.Value("description"),
        "fund": m.ToOne("Fund", "fund_id"),
        "limitedPartner": m.ToOne("Organization", "limited_partner_id"),
        "claims": m.Claims("fund_commitment_id"),
    },
)

FUND_INVESTMENT_FIELDS = m.TypeMap(
    "FundInvestment",
    FUND_INVESTMENT,
    {"fund": m.ToOne("Fund", "fund_id"), "investment": m.ToOne("Investment", "investment_id")},
)
