"""Organizations and their names: entities, filter leaves, orderings and read model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from service import domain
from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import (
    FilterError,
    FilterNode,
    Leaf,
    any_of,
    count_range,
    date_range,
    eq_in,
    like_pattern,
    recorded_since,
    values_of,
)
from service.repository.entities import EARLIEST, UNKNOWN_AMOUNT, Entity, Order, plain
from service.repository.events import event_involves
from service.repository.paging import KeyKind
from service.repository.valuations import latest_valuation_id


def organization_name(op: str, value: Any) -> ColumnElement[bool]:
    names = t.organization_name
    if op == "contains":
        cond = names.c.normalized.like(func.sg_normalize(like_pattern(value)))
    elif op in ("eq", "in"):
        cond = names.c.normalized.in_([func.sg_normalize(v) for v in values_of(op, value)])
    else:
        raise FilterError(f"unsupported operator {op!r}")
    return exists().where(names.c.organization_id == t.organization.c.id, cond)


organization_kind = any_of(t.organization.c.kinds)

S = t.organization_summary

# Organizations without a USD total sort as if they had raised -1 (as undisclosed amounts do
# elsewhere); the ordering's index is on this expression (migration 0023).
RAISED_KEY = func.coalesce(S.c.raised_usd_min, UNKNOWN_AMOUNT)

# The summary as the filter leaves read it: a subquery of their own, as every leaf is (counts
# read the entity's table alone), on an alias of its own so that it never correlates with the
# summary the entity's SELECT joins. Its primary key makes ``id IN (...)`` a plain join.
_FILTERED = S.alias("summary_filtered")


def _summary_has(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return t.organization.c.id.in_(
        select(_FILTERED.c.organization_id).where(condition).scalar_subquery()
    )


def raised_usd(op: str, value: Any) -> ColumnElement[bool]:
    """The USD total raised: at least (``gte``: its lower bound) or at most (``lte``: its upper
    bound) the amount; organizations without one match neither."""
    if value < 0:
        raise FilterError("`totalRaisedUsd` bounds must not be negative")
    if op == "gte":
        # On the ordering's key (NULL is -1 there, below any bound): the same rows, indexed.
        key = func.coalesce(_FILTERED.c.raised_usd_min, UNKNOWN_AMOUNT)
        return _summary_has(key >= value)
    if op == "lte":
        return _summary_has(_FILTERED.c.raised_usd_max <= value)
    raise FilterError(f"unsupported operator {op!r}")


def summary_count(column: str) -> Leaf:
    counted = count_range(_FILTERED.c[column])
    return lambda op, value: _summary_has(counted(op, value))


def _last_round_date(op: str, value: Any) -> ColumnElement[bool]:
    # On the sort key alone, so that the ordering's index answers it without the table: the
    # key is 0001-01-01 exactly when there is no dated last round (when the leaf matches none).
    sort = _FILTERED.c.last_round_sort
    bounded = date_range(sort)(op, value)
    return _summary_has(and_(sort > EARLIEST, bounded))


ORGANIZATION_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.organization.c.id),
    "slug": eq_in(t.organization.c.slug),
    "kind": organization_kind,
    "country": eq_in(t.organization.c.country),
    "name": organization_name,
    "totalRaisedUsd": raised_usd,
    "roundsCount": summary_count("rounds_count"),
    "lastRoundDate": _last_round_date,
    "investorsCount": summary_count("investors_count"),
    "leadsCount": summary_count("leads_count"),
    "acquisitionsCount": summary_count("acquisitions_count"),
    "exitsCount": summary_count("exits_count"),
    "updatedSince": recorded_since(t.organization),
}


def _organizations() -> Select[Any]:
    # The latest valuation rides along as a correlated subquery: PostgreSQL evaluates it only
    # for the rows of a page that ask for it (a pulled-up subquery drops unused outputs).
    # The summary is LEFT JOINed on its primary key (every organization has its row): a
    # statement that uses none of its columns drops the join, and an ordering on it makes it
    # an inner join (``_summary_order``), whose index PostgreSQL may walk first.
    return select(
        t.organization,
        latest_valuation_id(t.organization.c.id).label("latest_valuation_id"),
        *(c for c in S.c),
    ).outerjoin_from(t.organization, S, S.c.organization_id == t.organization.c.id)


def _summary_order(key: ColumnElement[Any], kind: KeyKind) -> Order:
    return (key, kind, S.c.organization_id.is_not(None))


ORGANIZATION = Entity(
    "organization",
    t.organization,
    _organizations,
    ORGANIZATION_LEAVES,
    {
        "NAME": (t.organization.c.name, "text"),
        "SLUG": (t.organization.c.slug, "text"),
        "CREATED_AT": (t.organization.c.created_at, "datetime"),
        "TOTAL_RAISED": _summary_order(RAISED_KEY, "decimal"),
        "LAST_ROUND_DATE": _summary_order(S.c.last_round_sort, "date"),
        "ROUNDS_COUNT": _summary_order(S.c.rounds_count, "int"),
        "INVESTORS_COUNT": _summary_order(S.c.investors_count, "int"),
    },
    (("NAME", False),),
)

ORGANIZATION_NAME = Entity("organization_name", t.organization_name, plain(t.organization_name))


def with_kind(node: FilterNode | None, kind: domain.OrganizationKind) -> FilterNode:
    """Organizations of ``kind`` (the `investors` and `startups` lists), then ``node``."""
    leaf: FilterNode = ("leaf", "kind", "in", (kind.value,))
    return ("and", (leaf,) if node is None else (leaf, node))


def _relationship_link(parent: ColumnElement[Any], arguments: Mapping[str, Any]) -> Any:
    rel = t.relationship
    direction = arguments.get("direction") or domain.RelationshipDirection.BOTH
    if direction == domain.RelationshipDirection.OUTGOING:
        return rel.c.source_id == parent
    if direction == domain.RelationshipDirection.INCOMING:
        return rel.c.target_id == parent
    return or_(rel.c.source_id == parent, rel.c.target_id == parent)


def _relationship_kinds(arguments: Mapping[str, Any]) -> FilterNode | None:
    kinds = arguments.get("kinds")
    if not kinds:
        return None
    return ("and", (("leaf", "kind", "in", tuple(str(k) for k in kinds)),))


ORGANIZATION_FIELDS = m.TypeMap(
    "Organization",
    ORGANIZATION,
    {
        "slug": m.Value("slug"),
        "name": m.Value("name"),
        "kinds": m.Value("kinds"),
        "country": m.Value("country"),
        "foundedOn": m.PartialDate("founded"),
        "website": m.Value("website"),
        "description": m.Value("description"),
        "names": m.Rows("Name", "organization_id", ("id",)),
        "parent": m.ToOne("Organization", "parent_id"),
        "subsidiaries": m.children("Organization", t.organization.c.parent_id),
        "fundingRounds": m.children(
            "FundingRound", t.funding_round.c.organization_id, filtered=True
        ),
        "investments": m.children("Investment", t.investment.c.investor_id, filtered=True),
        "products": m.children("Product", t.product.c.organization_id),
        "people": m.children("PersonRole", t.person_role.c.organization_id),
        "relationships": m.Children(
            "Relationship",
            _relationship_link,
            lambda arguments: f"relationship:{arguments.get('direction')}",
            arguments=("direction", "kinds"),
            extra=_relationship_kinds,
        ),
        "computeAssets": m.children("ComputeAsset", t.compute_asset.c.owner_id),
        "events": m.Children(
            "Event", lambda parent, arguments: event_involves(parent), lambda a: "participant"
        ),
        "creditPrograms": m.children("CreditProgram", t.credit_program.c.provider_id),
        "claims": m.Claims("organization_id"),
        "acquisitions": m.children("Acquisition", t.acquisition.c.acquirer_id, filtered=True),
        "acquiredBy": m.children("Acquisition", t.acquisition.c.acquired_id, filtered=True),
        "listings": m.children("Listing", t.listing.c.organization_id, filtered=True),
        "valuations": m.children("Valuation", t.valuation.c.organization_id, filtered=True),
        "latestValuation": m.ToOne("Valuation", "latest_valuation_id"),
        "roundsCount": m.Value("rounds_count"),
        "unvaluedRoundsCount": m.Value("unvalued_rounds_count"),
        "totalRaisedUsd": m.UsdRange("raised_usd"),
        "lastRound": m.ToOne("FundingRound", "last_round_id"),
        "lastRoundDate": m.PartialDate("last_round"),
        "investorsCount": m.Value("investors_count"),
        "leadsCount": m.Value("leads_count"),
        "acquisitionsCount": m.Value("acquisitions_count"),
        "exitsCount": m.Value("exits_count"),
        "fundsManaged": m.children("Fund", t.fund.c.manager_id, filtered=True),
        "fundCommitments": m.children("FundCommitment", t.fund_commitment.c.limited_partner_id),
    },
)

NAME_FIELDS = m.TypeMap(
    "Name",
    ORGANIZATION_NAME,
    {
        "value": m.Value("value"),
        "language": m.Value("language"),
        "script": m.Value("script"),
        "kind": m.Value("kind"),
        "isPrimary": m.Value("is_primary"),
    },
)
