"""Filter trees → SQL conditions.

The API's filter inputs become a hashable tree of tuples (so request-scoped loaders can be
keyed by them), and each list's leaf vocabulary maps a (field, operator, value) to a condition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true

from service.db import tables as t

# ("and", (node, ...)) | ("or", (node, ...)) | ("not", node) | ("leaf", field, op, value)
FilterNode = tuple[Any, ...]
Leaf = Callable[[str, Any], ColumnElement[bool]]


class FilterError(ValueError):
    """A filter the list cannot apply (unknown field or operator)."""


def build_condition(node: FilterNode | None, leaves: Mapping[str, Leaf]) -> ColumnElement[bool]:
    if node is None:
        return true()
    tag = node[0]
    if tag == "and":
        return and_(true(), *(build_condition(child, leaves) for child in node[1]))
    if tag == "or":
        children = [build_condition(child, leaves) for child in node[1]]
        return or_(*children) if children else false()
    if tag == "not":
        return not_(build_condition(node[1], leaves))
    if tag == "leaf":
        _, field, op, value = node
        if field not in leaves:
            raise FilterError(f"unknown filter field {field!r}")
        return leaves[field](op, value)
    raise FilterError(f"unknown filter node {tag!r}")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def normalized(value: str) -> ColumnElement[str]:
    return func.sg_normalize(value)


def _values(op: str, value: Any) -> tuple[Any, ...]:
    if op == "eq":
        return (value,)
    if op == "in":
        return tuple(value)
    raise FilterError(f"unsupported operator {op!r}")


def eq_in(column: ColumnElement[Any]) -> Leaf:
    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        return column.in_(_values(op, value))

    return leaf


def date_range(column: ColumnElement[Any]) -> Leaf:
    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool]
        if op == "gte":
            condition = column >= value
        elif op == "lte":
            condition = column <= value
        elif op == "gt":
            condition = column > value
        elif op == "lt":
            condition = column < value
        else:
            raise FilterError(f"unsupported operator {op!r}")
        return condition

    return leaf


def sorted_date_range(column: ColumnElement[Any], sort_column: ColumnElement[Any]) -> Leaf:
    """A date range on a nullable date that has a NOT NULL, indexed sort twin (undated rows
    sort as 0001-01-01): bounding the twin lets a keyset page start its index scan at the
    range instead of walking every later row first."""
    bounded = date_range(sort_column)

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        return and_(column.is_not(None), bounded(op, value))

    return leaf


def boolean(column: ColumnElement[Any]) -> Leaf:
    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        return column.is_(bool(value))

    return leaf


def text_match(column: ColumnElement[Any]) -> Leaf:
    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        if op == "contains":
            return func.sg_normalize(column).like(func.sg_normalize(like_pattern(value)))
        return column.in_(_values(op, value))

    return leaf


def org_match(column: ColumnElement[Any]) -> Leaf:
    """Organizations given by ids and/or slugs (``value`` = (ids, slugs))."""

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        # Only what is given is built: PostgreSQL turns one IN (SELECT ...) into a join, but
        # not an OR of an empty IN list and a sublink, which scans the whole child table.
        ids, slugs = value
        if not slugs:
            return column.in_(ids) if ids else false()
        orgs = t.organization
        named: ColumnElement[bool] = orgs.c.slug.in_(slugs)
        if ids:
            named = or_(orgs.c.id.in_(ids), named)
        return column.in_(select(orgs.c.id).where(named).scalar_subquery())

    return leaf


def organization_name(op: str, value: Any) -> ColumnElement[bool]:
    names = t.organization_name
    if op == "contains":
        cond = names.c.normalized.like(func.sg_normalize(like_pattern(value)))
    elif op in ("eq", "in"):
        cond = names.c.normalized.in_([func.sg_normalize(v) for v in _values(op, value)])
    else:
        raise FilterError(f"unsupported operator {op!r}")
    return exists().where(names.c.organization_id == t.organization.c.id, cond)


def organization_kind(op: str, value: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = t.organization.c.kinds.overlap(list(_values(op, value)))
    return condition


ORGANIZATION_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.organization.c.id),
    "slug": eq_in(t.organization.c.slug),
    "kind": organization_kind,
    "country": eq_in(t.organization.c.country),
    "name": organization_name,
}


def _round_has_investor(op: str, value: Any) -> ColumnElement[bool]:
    inv = t.investment
    return exists().where(
        inv.c.round_id == t.funding_round.c.id, org_match(inv.c.investor_id)(op, value)
    )


def _round_consideration(op: str, value: Any) -> ColumnElement[bool]:
    inv, comp = t.investment, t.consideration_component
    return exists().where(
        inv.c.round_id == t.funding_round.c.id,
        comp.c.investment_id == inv.c.id,
        comp.c.kind.in_(_values(op, value)),
    )


FUNDING_ROUND_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.funding_round.c.id),
    "organization": org_match(t.funding_round.c.organization_id),
    "investor": _round_has_investor,
    "announced": sorted_date_range(t.funding_round.c.announced_on, t.funding_round.c.sort_on),
    "roundType": eq_in(t.funding_round.c.round_type),
    "status": eq_in(t.funding_round.c.status),
    "considerationKind": _round_consideration,
}


def _investment_consideration(op: str, value: Any) -> ColumnElement[bool]:
    comp = t.consideration_component
    return exists().where(
        comp.c.investment_id == t.investment.c.id, comp.c.kind.in_(_values(op, value))
    )


def _investment_investee(op: str, value: Any) -> ColumnElement[bool]:
    rounds = select(t.funding_round.c.id).where(
        org_match(t.funding_round.c.organization_id)(op, value)
    )
    return t.investment.c.round_id.in_(rounds.scalar_subquery())


INVESTMENT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.investment.c.id),
    "investor": org_match(t.investment.c.investor_id),
    "organization": _investment_investee,
    "round": eq_in(t.investment.c.round_id),
    "isLead": boolean(t.investment.c.is_lead),
    "considerationKind": _investment_consideration,
}

PERSON_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.person.c.id),
    "slug": eq_in(t.person.c.slug),
    "name": text_match(t.person.c.name),
}

PRODUCT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.product.c.id),
    "slug": eq_in(t.product.c.slug),
    "name": text_match(t.product.c.name),
    "organization": org_match(t.product.c.organization_id),
}


def _event_participant(op: str, value: Any) -> ColumnElement[bool]:
    part = t.event_participant
    return exists().where(
        part.c.event_id == t.event.c.id, org_match(part.c.organization_id)(op, value)
    )


def event_involves(organization_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Events the organization takes part in. Correlated explicitly: nested in a count under
    the organization, auto-correlation would add the organization to the subquery's own FROM
    and count every event with any participant."""
    part = t.event_participant
    return (
        select(part.c.event_id)
        .where(part.c.event_id == t.event.c.id, part.c.organization_id == organization_id)
        .correlate_except(part)
        .exists()
    )


EVENT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.event.c.id),
    "kind": eq_in(t.event.c.kind),
    "occurred": sorted_date_range(t.event.c.occurred_on, t.event.c.sort_on),
    "organization": _event_participant,
}

SOURCE_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.source.c.id),
    "publisher": text_match(t.source.c.publisher),
    "kind": eq_in(t.source.c.kind),
}

CREDIT_TYPE_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.credit_type.c.id),
    "considerationKind": eq_in(t.credit_type.c.consideration_kind),
}

CREDIT_PROGRAM_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.credit_program.c.id),
    "provider": org_match(t.credit_program.c.provider_id),
}
