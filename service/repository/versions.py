"""Every version of a record: the current row (retired or not) and its earlier versions in the
``history`` schema, newest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import DateTime, MetaData, Select, Table, cast, false, func, null, select, union_all
from sqlalchemy.sql.util import ClauseAdapter

from service.db import tables as t
from service.repository.db import Db
from service.repository.entities import Entity


@cache
def public_table(table: Table) -> Table:
    """The table itself, schema-qualified: reads run with the ``live`` views first on the path,
    and a record's history includes its retired current version."""
    return table.to_metadata(MetaData(), schema="public")


def versions_statement(entity: Entity) -> Select[Any]:
    """The entity's base SELECT over every version of its rows instead of its live view: the
    same joins and extra columns, so that ``from_row`` builds past versions as it builds
    current ones. ``recorded_to`` is null for the current version."""
    table = entity.table
    past = t.HISTORY_TABLES[table.name]
    current = public_table(table)
    names = [c.name for c in table.columns]

    def no_end() -> Any:
        return cast(null(), DateTime(timezone=True)).label("recorded_to")

    # The first branch returns nothing; it makes the union's columns correspond to the table's,
    # so that ClauseAdapter puts the union wherever the base SELECT names the table.
    anchor = select(*(table.c[n] for n in names), no_end()).where(false())
    union = union_all(
        anchor,
        select(*(current.c[n] for n in names), no_end()),
        select(*(past.c[n] for n in names), past.c.recorded_to),
    ).subquery("versions")
    statement: Select[Any] = ClauseAdapter(union).traverse(entity.base())
    return statement


async def fetch_versions(
    db: Db, entity: Entity, ids: Sequence[int], first: int, as_of: dt.datetime | None
) -> dict[int, list[asyncpg.Record]]:
    """The newest ``first`` versions of each id (those recorded by ``as_of``, if given)."""
    statement = versions_statement(entity)
    columns = statement.selected_columns
    rank = (
        func.row_number()
        .over(partition_by=columns.id, order_by=columns.version.desc())
        .label("_rank")
    )
    ranked = statement.add_columns(rank).where(columns.id.in_(list(ids)))
    if as_of is not None:
        ranked = ranked.where(columns.recorded_at <= as_of)
    inner = ranked.subquery("ranked")
    query = select(inner).where(inner.c._rank <= first).order_by(inner.c.id, inner.c.version.desc())
    found: dict[int, list[asyncpg.Record]] = {i: [] for i in ids}
    for row in await db.fetch(query):
        found[row["id"]].append(row)
    return found
