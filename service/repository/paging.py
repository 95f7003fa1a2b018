"""Keyset pagination, for root lists and for many parents' child lists in one statement.

A page is ordered by its sort keys plus the primary key (all NOT NULL), fetched one row past
its size to know whether another page follows, and queried in reverse for ``last``. A cursor
holds the sort keys' values and the ordering it was made for, so a cursor from one ordering
cannot silently be applied to another.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import asyncpg
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from service.repository.db import Db

KeyKind = Literal["text", "int", "date", "decimal", "bool", "datetime"]


class CursorError(ValueError):
    """A cursor that is malformed or belongs to another ordering."""


@dataclass(frozen=True)
class SortKey:
    """One ordering term: a NOT NULL SQL expression, how to (de)serialise its value, direction.

    ``requires``: a condition every page ordered by it adds, always true of the rows the list
    holds. A key on a LEFT JOINed table names it (``column IS NOT NULL``) so that PostgreSQL
    reads the join as an inner one and can walk that table's index in the key's order."""

    name: str
    expr: ColumnElement[Any]
    kind: KeyKind
    descending: bool = False
    requires: ColumnElement[bool] | None = None

    def flipped(self) -> SortKey:
        return SortKey(self.name, self.expr, self.kind, not self.descending, self.requires)


def required(keys: Sequence[SortKey]) -> list[ColumnElement[bool]]:
    """The conditions the keys add to every page (see ``SortKey.requires``)."""
    return [k.requires for k in keys if k.requires is not None]


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    last: int | None = None
    after: str | None = None
    before: str | None = None


@dataclass
class Page:
    rows: list[asyncpg.Record]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def _signature(keys: Sequence[SortKey]) -> str:
    return ",".join(f"{k.name}:{'D' if k.descending else 'A'}" for k in keys)


def _dump(kind: KeyKind, value: Any) -> Any:
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    return value


def _load(kind: KeyKind, value: Any) -> Any:
    try:
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "datetime":
            return dt.datetime.fromisoformat(value)
        if kind == "decimal":
            return Decimal(value)
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "text" and isinstance(value, str):
            return value
        if kind == "bool" and isinstance(value, bool):
            return value
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise CursorError("cursor value has the wrong type") from exc
    if kind in ("int", "text", "bool"):
        raise CursorError("cursor value has the wrong type")
    raise CursorError(f"unknown key kind {kind}")  # pragma: no cover


def encode_cursor(keys: Sequence[SortKey], values: Sequence[Any]) -> str:
    payload = [_signature(keys), *(_dump(k.kind, v) for k, v in zip(keys, values, strict=True))]
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(keys: Sequence[SortKey], cursor: str) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError("cursor is not one this API issued") from exc
    if not isinstance(payload, list) or len(payload) != len(keys) + 1:
        raise CursorError("cursor is not one this API issued")
    if payload[0] != _signature(keys):
        raise CursorError("cursor was issued for a different orderBy")
    return tuple(_load(k.kind, v) for k, v in zip(keys, payload[1:], strict=True))


def _bound(key: SortKey, value: Any) -> ColumnElement[Any]:
    """A cursor value as a bind parameter its key can be compared with."""
    if key.kind == "date":
        # asyncpg sends date.min as -infinity, so the undated rows' 0001-01-01 would never
        # equal it: send the date as text and let PostgreSQL read it.
        return cast(literal(value.isoformat(), Text), Date)
    # Typed explicitly: SQLAlchemy refuses `<`/`>` against a bare True/False.
    return literal(value, key.expr.type)


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order ``keys`` describe."""
    bound = [_bound(key, value) for key, value in zip(keys, values, strict=True)]
    terms = []
    for i, key in enumerate(keys):
        equal = [keys[j].expr == bound[j] for j in range(i)]
        beyond = key.expr < bound[i] if key.descending else key.expr > bound[i]
        terms.append(and_(*equal, beyond))
    return or_(*terms)


def _order(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    return [k.expr.desc() if k.descending else k.expr.asc() for k in keys]


@dataclass(frozen=True)
class _Plan:
    keys: tuple[SortKey, ...]
    query_keys: tuple[SortKey, ...]
    conditions: tuple[ColumnElement[bool], ...]
    size: int
    backward: bool


def _plan(keys: Sequence[SortKey], args: PageArgs, default_size: int) -> _Plan:
    backward = args.last is not None and args.first is None
    size = (args.last if backward else args.first) or default_size
    conditions = required(keys)
    if args.after is not None:
        conditions.append(_after(keys, decode_cursor(keys, args.after)))
    if args.before is not None:
        flipped = [k.flipped() for k in keys]
        conditions.append(_after(flipped, decode_cursor(keys, args.before)))
    query_keys = tuple(k.flipped() for k in keys) if backward else tuple(keys)
    return _Plan(tuple(keys), query_keys, tuple(conditions), size, backward)


def _key_columns(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    return [k.expr.label(f"_k{i}") for i, k in enumerate(keys)]


def _finish(plan: _Plan, rows: list[asyncpg.Record], args: PageArgs) -> Page:
    more = len(rows) > plan.size
    rows = rows[: plan.size]
    if plan.backward:
        rows.reverse()
    cursors = [
        encode_cursor(plan.keys, [row[f"_k{i}"] for i in range(len(plan.keys))]) for row in rows
    ]
    if plan.backward:
        return Page(rows, cursors, has_next=args.before is not None, has_previous=more)
    return Page(rows, cursors, has_next=more, has_previous=args.after is not None)


def validate_cursors(keys: Sequence[SortKey], args: PageArgs) -> None:
    """Raise CursorError now, before any SQL, for a cursor this ordering cannot use."""
    for cursor in (args.after, args.before):
        if cursor is not None:
            decode_cursor(keys, cursor)


async def fetch_page(
    db: Db, base: Select[Any], keys: Sequence[SortKey], args: PageArgs, default_size: int
) -> Page:
    """One page of a root list: ``base`` is a SELECT with its filters applied."""
    plan = _plan(keys, args, default_size)
    statement = (
        base.add_columns(*_key_columns(keys))
        .where(*plan.conditions)
        .order_by(*_order(plan.query_keys))
        .limit(plan.size + 1)
    )
    return _finish(plan, await db.fetch(statement), args)


async def fetch_child_pages(
    db: Db,
    base: Select[Any],
    link: Callable[[ColumnElement[Any]], ColumnElement[bool]],
    parent_ids: Sequence[int],
    keys: Sequence[SortKey],
    args: PageArgs,
    default_size: int,
) -> dict[int, Page]:
    """One page per parent, in one statement: a LATERAL subquery per parent id.

    ``link`` says how a child row belongs to the parent whose id it is given.
    """
    plan = _plan(keys, args, default_size)
    parents = _parents(parent_ids)
    child = (
        base.add_columns(*_key_columns(keys))
        .where(link(parents.c.id), *plan.conditions)
        .order_by(*_order(plan.query_keys))
        .limit(plan.size + 1)
        .lateral("c")
    )
    statement = select(parents.c.id.label("_parent"), child).select_from(
        parents.join(child, true())
    )
    grouped: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in await db.fetch(statement):
        grouped[row["_parent"]].append(row)
    return {pid: _finish(plan, grouped.get(pid, []), args) for pid in parent_ids}


async def count_rows(db: Db, base: Select[Any]) -> int:
    rows = await db.fetch(select(func.count()).select_from(base.subquery()))
    return int(rows[0][0])


async def count_children(
    db: Db,
    base: Select[Any],
    link: Callable[[ColumnElement[Any]], ColumnElement[bool]],
    parent_ids: Sequence[int],
) -> dict[int, int]:
    parents = _parents(parent_ids)
    # LATERAL, as for the pages: a plain derived table cannot see the parent id, and
    # SQLAlchemy would silently cross-join the parents into it (every parent counting all rows).
    child = base.where(link(parents.c.id)).lateral("c")
    statement = (
        select(parents.c.id, func.count(child.c.id))
        .select_from(parents.outerjoin(child, true()))
        .group_by(parents.c.id)
    )
    counts = {row[0]: int(row[1]) for row in await db.fetch(statement)}
    return {pid: counts.get(pid, 0) for pid in parent_ids}


def _parents(parent_ids: Sequence[int]) -> Any:
    ids = func.unnest(bindparam("parent_ids", list(parent_ids), type_=ARRAY(BigInteger)))
    return ids.table_valued("id").render_derived(name="p")
