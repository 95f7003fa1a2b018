"""An entity: what a list of the API reads — its base SELECT, its filter leaves and its
orderings — and the plain lookups every entity shares. The entities themselves are declared in
their domain modules (organizations, rounds, …)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    Table,
    Text,
    cast,
    literal,
    literal_column,
    select,
)

from service.repository import conditions as f
from service.repository.db import Db
from service.repository.paging import KeyKind, SortKey

# An ordering: its key and the key's kind, and optionally the condition it requires
# (``SortKey.requires``).
Order = tuple[ColumnElement[Any], KeyKind] | tuple[ColumnElement[Any], KeyKind, ColumnElement[bool]]


@dataclass(frozen=True)
class Entity:
    name: str
    table: Table
    base: Callable[[], Select[Any]]
    leaves: Mapping[str, f.Leaf] = field(default_factory=dict)
    orders: Mapping[str, Order] = field(default_factory=dict)
    default_order: tuple[tuple[str, bool], ...] = ()

    @property
    def pk(self) -> ColumnElement[int]:
        column: ColumnElement[int] = self.table.c.id
        return column

    def sort_keys(self, order: Sequence[tuple[str, bool]]) -> list[SortKey]:
        """The given ordering (or the default), made total with the primary key."""
        terms = list(order) or list(self.default_order)
        keys = [self._key(name, desc) for name, desc in terms]
        descending = keys[-1].descending if keys else False
        keys.append(SortKey("ID", self.pk, "int", descending=descending))
        return keys

    def _key(self, name: str, descending: bool) -> SortKey:
        order = self.orders[name]
        if len(order) == 3:
            return SortKey(name, order[0], order[1], descending, order[2])
        return SortKey(name, order[0], order[1], descending)

    def __post_init__(self) -> None:
        # Every list can be asked for what changed since a time, with a filter input or
        # without one (the ``updatedSince`` argument), so every entity has the leaf.
        if f.UPDATED_SINCE not in self.leaves and "recorded_at" in self.table.c:
            leaves = {**self.leaves, f.UPDATED_SINCE: f.recorded_since(self.table)}
            object.__setattr__(self, "leaves", leaves)

    def filtered(self, node: f.FilterNode | None) -> Select[Any]:
        return self.base().where(f.build_condition(node, self.leaves))


def plain(table: Table) -> Callable[[], Select[Any]]:
    """The SELECT of an entity whose rows are its table's rows as they are."""
    return lambda: select(table)


# The date undated rows sort on, as the computed `sort_on` columns of rounds and events have it.
# Cast in SQL: a bare string bind makes PostgreSQL refuse COALESCE(date, varchar), and asyncpg
# would send a date.min bind as -infinity.
EARLIEST = cast(literal("0001-01-01", Text), Date)


# Where undisclosed amounts sort. A literal in the SQL, not a bind parameter: the orderings'
# indexes are on ``coalesce(amount, -1)`` (migrations 0009 and 0018), and PostgreSQL matches
# an index expression only against the same constant.
UNKNOWN_AMOUNT: ColumnElement[Any] = literal_column("-1")


async def fetch_by_ids(db: Db, entity: Entity, ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    rows = await db.fetch(entity.base().where(entity.pk.in_(list(ids))))
    return {row["id"]: row for row in rows}


async def fetch_first(db: Db, entity: Entity, node: f.FilterNode) -> asyncpg.Record | None:
    """The first row of the entity that ``node`` keeps (by primary key), or None."""
    rows = await db.fetch(entity.filtered(node).order_by(entity.pk).limit(1))
    return rows[0] if rows else None


async def fetch_by_column(
    db: Db, entity: Entity, column: ColumnElement[Any], values: Sequence[Any]
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        entity.base().where(column.in_(list(values))).order_by(*entity.table.primary_key.columns)
    )
    return rows
