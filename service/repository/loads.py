"""Batched lookups the resolvers' loaders make: rows by key, claims, subjects, FX rates.

Each takes every key of one batch and answers in one statement, so a nested query costs one
statement per level and field whatever the number of parents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, Select, select

from service.db import tables as t
from service.repository.db import Db
from service.repository.entities import Entity

# How a child list hangs off its parents: parent-id column → condition on the child rows.
Link = Callable[[ColumnElement[Any]], ColumnElement[bool]]


async def rows_by_parent(
    db: Db,
    entity: Entity,
    statement: Select[Any],
    parent_column: str,
    order: Sequence[str],
    parent_ids: Sequence[int],
) -> dict[int, list[asyncpg.Record]]:
    """``statement``'s rows whose ``parent_column`` is one of ``parent_ids``, grouped, each
    group in ``order``."""
    column = entity.table.c[parent_column]
    columns = statement.selected_columns
    query = statement.where(column.in_(list(parent_ids))).order_by(
        *(columns[name] for name in order)
    )
    grouped: dict[int, list[asyncpg.Record]] = {p: [] for p in parent_ids}
    for row in await db.fetch(query):
        grouped[row[parent_column]].append(row)
    return grouped


async def claims_by_subject(
    db: Db, subject_column: str, subject_ids: Sequence[int]
) -> dict[int, list[asyncpg.Record]]:
    """The claims whose subject link in ``subject_column`` names each id, by claim id."""
    column = t.claim_subject.c[subject_column]
    statement: Select[Any] = (
        select(t.claim, column.label("_subject"))
        .join_from(t.claim, t.claim_subject, t.claim_subject.c.claim_id == t.claim.c.id)
        .where(column.in_(list(subject_ids)))
        .order_by(t.claim.c.id)
    )
    grouped: dict[int, list[asyncpg.Record]] = {s: [] for s in subject_ids}
    for row in await db.fetch(statement):
        grouped[row["_subject"]].append(row)
    return grouped


async def first_subject_links(db: Db, claim_ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    """Each claim's first subject link (by id)."""
    statement = select(t.claim_subject).where(t.claim_subject.c.claim_id.in_(list(claim_ids)))
    found: dict[int, asyncpg.Record] = {}
    for row in await db.fetch(statement.order_by(t.claim_subject.c.id)):
        found.setdefault(row["claim_id"], row)
    return found


async def usd_rates(
    db: Db, keys: Sequence[tuple[str, dt.date | None]]
) -> list[asyncpg.Record | None]:
    """The latest USD rate on or before each date (the latest known, for undated facts)."""
    rows = await db.fetch_sql(
        """
        SELECT k.i, r.currency, r.rate_on, r.usd_per_unit, r.source
        FROM unnest($1::text[], $2::date[]) WITH ORDINALITY AS k(currency, on_date, i)
        LEFT JOIN LATERAL (
            SELECT * FROM fx_rate f
            WHERE f.currency = k.currency
              AND f.rate_on <= coalesce(k.on_date, 'infinity'::date)
            ORDER BY f.rate_on DESC LIMIT 1
        ) r ON true
        ORDER BY k.i
        """,
        [[k[0] for k in keys], [k[1] for k in keys]],
    )
    return [row if row["currency"] is not None else None for row in rows]
