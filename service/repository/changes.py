"""The change feed's SQL: audit rows in ``(txid, id)`` order, of finished transactions only.

``txid < sg_feed_horizon()`` (migration 0026): every transaction of this database below the
horizon has committed or aborted, and every transaction still to come gets a larger txid, so
the rows below it never change and a cursor ``(txid, id)`` never passes over a row that appears
later (docs/changes.md). The horizon is the snapshot's xmin, less the transactions running in
other databases of the server, which never write here. A light audit row (bulk imports) has
no images: whether it retired or restored its row is read from the row's versions through
``sg_audit_image``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.changes.cursor import Position
from service.changes.operations import ChangeOperation, operation_of
from service.repository.db import Db

_COLUMNS = """a.id, a.txid, a.at, a.key_id, a.action, a.table_name, a.row_id, a.version,
           a.row_key, a.import_id, a.before, a.after"""

_PAGE = f"""
    SELECT {_COLUMNS}
    FROM public.audit_log a
    WHERE a.txid < sg_feed_horizon()
      AND (a.txid, a.id) > ($1::bigint, $2::bigint)
      AND ($3::text[] IS NULL OR a.table_name = ANY($3::text[]))
    ORDER BY a.txid, a.id
    LIMIT $4
"""

# Given audit rows, whatever their transaction: a reader that knows they are committed
# (webhook deliveries, written in the same transaction) reads them without waiting on the xmin.
_BY_IDS = f"""
    SELECT {_COLUMNS} FROM public.audit_log a WHERE a.id = ANY($1::bigint[])
"""

_CHANGES = """
WITH page AS ({page}),
imaged AS (
    SELECT p.*,
        CASE
            WHEN p.action <> 'UPDATE' THEN NULL
            WHEN p.before IS NOT NULL THEN p.before
            ELSE sg_audit_image(p.table_name, p.row_id, p.version - 1)
        END AS before_image,
        CASE
            WHEN p.action <> 'UPDATE' THEN NULL
            WHEN p.after IS NOT NULL THEN p.after
            ELSE sg_audit_image(p.table_name, p.row_id, p.version)
        END AS after_image
    FROM page p
)
SELECT i.id, i.txid, i.at, i.key_id, k.prefix AS key_prefix, k.name AS key_name, i.action,
       i.table_name, i.row_id, i.version, i.row_key, i.import_id,
       (i.before_image ->> 'retired_at') IS NOT NULL AS retired_before,
       (i.after_image ->> 'retired_at') IS NOT NULL AS retired_after,
       (SELECT m.survivor_id FROM public.organization_merge m
        WHERE i.table_name = 'organization' AND m.merged_id = i.row_id AND m.merged_at = i.at
        ORDER BY m.id DESC LIMIT 1) AS merged_into
FROM imaged i
LEFT JOIN public.api_key k ON k.id = i.key_id
ORDER BY i.txid, i.id
"""

FEED_SQL = _CHANGES.format(page=_PAGE)
BY_IDS_SQL = _CHANGES.format(page=_BY_IDS)


@dataclass(frozen=True)
class ChangeRow:
    position: Position
    at: datetime
    table: str
    row_id: int | None
    row_key: str | None
    version: int | None
    operation: ChangeOperation
    merged_into: int | None
    key_id: int | None
    key_prefix: str | None
    key_name: str | None
    import_id: int | None


def _change_row(r: asyncpg.Record) -> ChangeRow:
    return ChangeRow(
        position=Position(r["txid"], r["id"]),
        at=r["at"],
        table=r["table_name"],
        row_id=r["row_id"],
        row_key=r["row_key"],
        version=r["version"],
        # `merged_at` is the merging transaction's now(), as is its audit rows' `at`.
        operation=operation_of(
            r["action"], r["retired_before"], r["retired_after"], r["merged_into"]
        ),
        merged_into=r["merged_into"],
        key_id=r["key_id"],
        key_prefix=r["key_prefix"],
        key_name=r["key_name"],
        import_id=r["import_id"],
    )


async def read_changes(
    db: Db, after: Position, tables: Sequence[str] | None, limit: int
) -> list[ChangeRow]:
    """Up to ``limit`` changes after ``after``, of ``tables`` (all when None)."""
    rows = await db.fetch_sql(
        FEED_SQL, [after.txid, after.id, None if tables is None else list(tables), limit]
    )
    return [_change_row(r) for r in rows]


async def read_changes_by_id(db: Db, audit_ids: Sequence[int]) -> dict[int, ChangeRow]:
    """The changes of these audit rows, as the feed shows them, by audit id."""
    rows = await db.fetch_sql(BY_IDS_SQL, [list(audit_ids)])
    return {r["id"]: _change_row(r) for r in rows}
