"""Funding rounds, investments and their consideration: entities, filter leaves, orderings and
read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import (
    Leaf,
    any_of,
    boolean,
    eq_in,
    org_match,
    person_match,
    recorded_since,
    sorted_date_range,
)
from service.repository.entities import UNKNOWN_AMOUNT, Entity
from service.repository.exits import investment_status
from service.repository.funds import fund_of_investment


def _round_has_investor(op: str, value: Any) -> ColumnElement[bool]:
    inv = t.investment
    return exists().where(
        inv.c.round_id == t.funding_round.c.id, org_match(inv.c.investor_id)(op, value)
    )


FUNDING_ROUND_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.funding_round.c.id),
    "organization": org_match(t.funding_round.c.organization_id),
    "investor": _round_has_investor,
    "announced": sorted_date_range(t.funding_round.c.announced_on, t.funding_round.c.sort_on),
    "roundType": eq_in(t.funding_round.c.round_type),
    "status": eq_in(t.funding_round.c.status),
    # The derived kinds of the round (migration 0007): one GIN-indexed condition on the row,
    # where an EXISTS over investments and components joined whole tables (NOT above all).
    "considerationKind": any_of(t.funding_round.c.consideration_kinds),
    "updatedSince": recorded_since(t.funding_round),
}


def _investment_investee(op: str, value: Any) -> ColumnElement[bool]:
    rounds = select(t.funding_round.c.id).where(
        org_match(t.funding_round.c.organization_id)(op, value)
    )
    return t.investment.c.round_id.in_(rounds.scalar_subquery())


INVESTMENT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.investment.c.id),
    "investor": org_match(t.investment.c.investor_id),
    "investorPerson": person_match(t.investment.c.investor_person_id),
    "organization": _investment_investee,
    "round": eq_in(t.investment.c.round_id),
    "isLead": boolean(t.investment.c.is_lead),
    "considerationKind": any_of(t.investment.c.consideration_kinds),
    "updatedSince": recorded_since(t.investment),
}


def _rounds() -> Select[Any]:
    return select(t.funding_round)


# The round's columns ride along through LEFT JOINs on NOT NULL foreign keys (a live record's
# round is live too: a round with live investments cannot be retired), so they give the same
# rows as inner joins; but PostgreSQL drops a LEFT JOIN to a unique key whose columns a query
# does not use, which spares the compiled path two index probes per investment or component.


def _investments() -> Select[Any]:
    r = t.funding_round
    return select(
        t.investment,
        r.c.organization_id.label("round_organization_id"),
        r.c.announced_on.label("round_announced_on"),
        fund_of_investment(t.investment.c.id).label("fund_id"),
        investment_status(t.investment.c.id).label("status"),
    ).outerjoin_from(t.investment, r, t.investment.c.round_id == r.c.id)


def _components() -> Select[Any]:
    r, i = t.funding_round, t.investment
    return (
        select(t.consideration_component, r.c.announced_on.label("round_announced_on"))
        .outerjoin_from(
            t.consideration_component, i, t.consideration_component.c.investment_id == i.c.id
        )
        .outerjoin(r, i.c.round_id == r.c.id)
    )


FUNDING_ROUND = Entity(
    "funding_round",
    t.funding_round,
    _rounds,
    FUNDING_ROUND_LEAVES,
    {
        "ANNOUNCED_ON": (t.funding_round.c.sort_on, "date"),
        "AMOUNT": (func.coalesce(t.funding_round.c.raised_amount, UNKNOWN_AMOUNT), "decimal"),
        "CREATED_AT": (t.funding_round.c.created_at, "datetime"),
    },
    (("ANNOUNCED_ON", True),),
)

INVESTMENT = Entity(
    "investment",
    t.investment,
    _investments,
    INVESTMENT_LEAVES,
    {
        "IS_LEAD": (t.investment.c.is_lead, "bool"),
        "AMOUNT": (func.coalesce(t.investment.c.committed_amount, UNKNOWN_AMOUNT), "decimal"),
        "CREATED_AT": (t.investment.c.created_at, "datetime"),
    },
    (("IS_LEAD", True),),
)

CONSIDERATION_COMPONENT = Entity("consideration_component", t.consideration_component, _components)

FUNDING_ROUND_FIELDS = m.TypeMap(
    "FundingRound",
    FUNDING_ROUND,
    {
        "roundType": m.Value("round_type"),
        "status": m.Value("status"),
        "announcedOn": m.PartialDate("announced"),
        "amount": m.Money("raised", "announced_on"),
        "preMoneyValuation": m.Money("pre_money", "announced_on"),
        "postMoneyValuation": m.Money("post_money", "announced_on"),
        "description": m.Value("description"),
        "organization": m.ToOne("Organization", "organization_id"),
        "investments": m.children("Investment", t.investment.c.round_id, filtered=True),
        "claims": m.Claims("funding_round_id"),
    },
)

INVESTMENT_FIELDS = m.TypeMap(
    "Investment",
    INVESTMENT,
    {
        "isLead": m.Value("is_lead"),
        "amount": m.Money("committed", "round_announced_on"),
        "stake": m.Share("stake"),
        "stakeEstimated": m.Value("stake_estimated"),
        "description": m.Value("description"),
        "investor": m.ToOne("Organization", "investor_id"),
        "investorPerson": m.ToOne("Person", "investor_person_id"),
        "organization": m.ToOne("Organization", "round_organization_id"),
        "round": m.ToOne("FundingRound", "round_id"),
        "consideration": m.Rows("ConsiderationComponent", "investment_id", ("position", "id")),
        "claims": m.Claims("investment_id"),
        "fund": m.ToOne("Fund", "fund_id"),
        "status": m.Value("status"),
        "exits": m.Rows("Exit", "investment_id", ("sort_on", "id")),
        "people": m.Rows("InvestmentPerson", "investment_id", ("id",)),
    },
)

CONSIDERATION_COMPONENT_FIELDS = m.TypeMap(
    "ConsiderationComponent",
    CONSIDERATION_COMPONENT,
    {
        "kind": m.Value("kind"),
        "amount": m.Money("value", "round_announced_on"),
        "share": m.Share("share"),
        "estimated": m.Value("estimated"),
        "escrow": m.Value("escrow"),
        "recognizedAsRevenueByProvider": m.Value("recognized_as_revenue_by_provider"),
        "spendRestriction": m.Value("spend_restriction"),
        "description": m.Value("description"),
        "provider": m.ToOne("Organization", "provider_id"),
        "spendRestrictedTo": m.ToOne("Organization", "spend_restricted_to_id"),
        "creditType": m.ToOne("CreditType", "credit_type_id"),
        "creditProgram": m.ToOne("CreditProgram", "credit_program_id"),
        "claims": m.Claims("consideration_component_id"),
    },
)
