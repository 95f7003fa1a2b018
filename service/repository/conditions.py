"""Filter trees → SQL conditions, and the kinds of leaf every list's filters are built from.

The API's filter inputs become a hashable tree of tuples (so request-scoped loaders can be
keyed by them), and each list's leaf vocabulary (in its domain module) maps a (field,
operator, value) to a condition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    and_,
    cast,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    true,
)

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


def values_of(op: str, value: Any) -> tuple[Any, ...]:
    if op == "eq":
        return (value,)
    if op == "in":
        return tuple(value)
    raise FilterError(f"unsupported operator {op!r}")


def any_of(column: ColumnElement[Any]) -> Leaf:
    """Any of the given values in an array column (``&&``, which a GIN index serves)."""

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = column.overlap(list(values_of(op, value)))
        return condition

    return leaf


def eq_in(column: ColumnElement[Any]) -> Leaf:
    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        return column.in_(values_of(op, value))

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


def recorded_key(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``recorded_at`` in UTC without its zone: the same order, and the key of the
    ``ix_<table>_recorded_utc`` indexes (migration 0032). Only ``updatedSince`` names this
    expression, so only it can read those indexes: the ``asof`` views filter every row on
    ``recorded_at <= sg_as_of()``, which an index on ``recorded_at`` itself would serve too
    (a bitmap of most of the table per lookup). The zone is a literal, as an index expression
    matches only the same constant."""
    return func.timezone(literal_column("'UTC'"), column)


def recorded_since(table: Any) -> Leaf:
    """Records whose current version was recorded at or after the time (``recorded_at``, the
    ``recordedAt`` field): created or changed since then."""
    key = recorded_key(table.c.recorded_at)

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        if op != "gte":
            raise FilterError(f"unsupported operator {op!r}")
        condition: ColumnElement[bool] = key >= recorded_key(cast(value, DateTime(timezone=True)))
        return condition

    return leaf


# The leaf every entity has (``Entity``), named as the filter inputs name it.
UPDATED_SINCE = "updatedSince"


def with_updated_since(node: FilterNode | None, since: Any | None) -> FilterNode | None:
    """``node``, and the records recorded at or after ``since`` when it is given: the
    ``updatedSince`` argument of the lists without a filter input, as the leaf of those with
    one."""
    if since is None:
        return node
    leaf: FilterNode = ("leaf", UPDATED_SINCE, "gte", since)
    return leaf if node is None else ("and", (node, leaf))


def count_range(column: ColumnElement[Any]) -> Leaf:
    """A count within bounds (``gte`` / ``lte``, inclusive)."""

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        if value < 0:
            raise FilterError("counts are never negative: a bound must be 0 or more")
        condition: ColumnElement[bool]
        if op == "gte":
            condition = column >= value
        elif op == "lte":
            condition = column <= value
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
    """A boolean equal to the value. On a NOT NULL column, the column itself or NOT it:
    PostgreSQL reads ``col`` and ``NOT col`` as ``col = true / false`` against a btree, so the
    filter and its negation both stay indexable; ``IS TRUE`` negated is ``IS NOT TRUE``, which
    no index serves (NOT isLead walked every lead first)."""

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        if getattr(column, "nullable", True):
            return column.is_(bool(value))
        condition: ColumnElement[bool] = column if value else not_(column)
        return condition

    return leaf


def text_match(column: ColumnElement[Any]) -> Leaf:
    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        if op == "contains":
            return func.sg_normalize(column).like(func.sg_normalize(like_pattern(value)))
        return column.in_(values_of(op, value))

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


def person_match(column: ColumnElement[Any]) -> Leaf:
    """People given by ids and/or slugs (``value`` = (ids, slugs)), as ``org_match``."""

    def leaf(op: str, value: Any) -> ColumnElement[bool]:
        ids, slugs = value
        if not slugs:
            return column.in_(ids) if ids else false()
        people = t.person
        named: ColumnElement[bool] = people.c.slug.in_(slugs)
        if ids:
            named = or_(people.c.id.in_(ids), named)
        return column.in_(select(people.c.id).where(named).scalar_subquery())

    return leaf
