"""When a funding round is announced: the change that first shows it ANNOUNCED or CLOSED.

A round is announced by the audit row that creates it in one of those states, or updates it
into one of them from RUMOURED, provided no earlier audit row of the round already showed it
in one (a round reopened as rumoured and announced again is not announced twice). Rows
written before the audit log existed (seeded data) count through the update's before-image:
updating an already announced round is no announcement. Light rows of bulk imports carry no
images; ``sg_audit_image`` reads them from the round's versions, as the change feed does.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from service.config import Settings
from service.db.listen import ChangeSignal
from service.db.pool import Connection
from service.repository.changes import ChangeRow
from service.repository.follow import reading

TABLE = "funding_round"
VISIBLE = ("ANNOUNCED", "CLOSED")

# $1: audit row ids of funding_round changes; returns those that announce their round.
ANNOUNCING_SQL = """
WITH given AS (
    SELECT a.id, a.txid, a.row_id, a.action,
        coalesce(a.after, sg_audit_image(a.table_name, a.row_id, a.version)) ->> 'status'
            AS status_after,
        CASE WHEN a.action = 'UPDATE' THEN
            coalesce(a.before, sg_audit_image(a.table_name, a.row_id, a.version - 1)) ->> 'status'
        END AS status_before
    FROM public.audit_log a
    WHERE a.id = ANY($1::bigint[]) AND a.table_name = 'funding_round'
      AND a.action IN ('INSERT', 'UPDATE')
)
SELECT g.id
FROM given g
WHERE g.status_after = ANY($2::text[])
  AND (g.action = 'INSERT' OR g.status_before IS NULL OR NOT g.status_before = ANY($2::text[]))
  AND NOT EXISTS (
    SELECT 1 FROM public.audit_log b
    WHERE b.table_name = 'funding_round' AND b.row_id = g.row_id
      AND (b.txid, b.id) < (g.txid, g.id) AND b.action IN ('INSERT', 'UPDATE')
      AND coalesce(b.after, sg_audit_image(b.table_name, b.row_id, b.version)) ->> 'status'
          = ANY($2::text[])
  )
"""


async def announcing(
    pool: asyncpg.Pool, settings: Settings, signal: ChangeSignal, rows: Sequence[ChangeRow]
) -> list[ChangeRow]:
    """Those of ``rows`` (funding-round changes) that announce their round, in feed order."""
    ids = [r.position.id for r in rows if r.table == TABLE]
    if not ids:
        return []

    async def work(conn: Connection) -> set[int]:
        return {r["id"] for r in await conn.fetch(ANNOUNCING_SQL, ids, list(VISIBLE))}

    found = await reading(pool, settings, signal, work)
    return [r for r in rows if r.position.id in found]
