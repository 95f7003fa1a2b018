"""Webhook endpoints and their dead letters: the SQL of their management (docs/webhooks.md).

Endpoints name entity types as the schema does (``Organization``) and store the tables; the
outbox trigger (migration 0021) matches audit rows against those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from service.changes.cursor import Position, encode_cursor
from service.changes.operations import ChangeOperation
from service.repository.db import Db
from service.repository.registry import TYPE_MAPS
from service.webhooks.signing import new_secret

# Entity type names as the schema names them, and the tables they are stored in.
TABLE_OF_TYPE: dict[str, str] = {name: m.entity.name for name, m in TYPE_MAPS.items()}
TYPE_OF_TABLE: dict[str, str] = {table: name for name, table in TABLE_OF_TYPE.items()}
MAX_DEAD_LETTERS = 1_000


class UnknownTypes(ValueError):
    """Entity types the change feed does not have."""


def tables_of(types: Sequence[str] | None) -> list[str] | None:
    if types is None:
        return None
    unknown = sorted(set(types) - TABLE_OF_TYPE.keys())
    if unknown:
        known = ", ".join(sorted(TABLE_OF_TYPE))
        raise UnknownTypes(f"Unknown entity types {', '.join(unknown)}; the types are {known}.")
    return sorted({TABLE_OF_TYPE[t] for t in types})


@dataclass(frozen=True)
class Endpoint:
    id: int
    url: str
    entity_types: list[str] | None
    operations: list[ChangeOperation] | None
    enabled: bool
    description: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    pending: int
    dead: int


@dataclass(frozen=True)
class DeadLetter:
    id: int
    endpoint_id: int
    cursor: str | None
    import_id: int | None
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime
    dead_at: dt.datetime | None


_ENDPOINT = """
    e.id, e.url, e.tables, e.operations, e.enabled, e.description, e.created_at, e.updated_at,
    (SELECT count(*) FROM public.webhook_delivery d
     WHERE d.endpoint_id = e.id AND d.state = 'pending') AS pending,
    (SELECT count(*) FROM public.webhook_delivery d
     WHERE d.endpoint_id = e.id AND d.state = 'dead') AS dead
"""


def _endpoint(r: asyncpg.Record) -> Endpoint:
    tables: list[str] | None = r["tables"]
    operations: list[str] | None = r["operations"]
    return Endpoint(
        id=r["id"],
        url=r["url"],
        entity_types=None if tables is None else sorted(TYPE_OF_TABLE.get(t, t) for t in tables),
        operations=None if operations is None else [ChangeOperation(o) for o in operations],
        enabled=r["enabled"],
        description=r["description"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        pending=r["pending"],
        dead=r["dead"],
    )


async def list_endpoints(db: Db) -> list[Endpoint]:
    rows = await db.fetch_sql(f"SELECT {_ENDPOINT} FROM public.webhook_endpoint e ORDER BY e.id")
    return [_endpoint(r) for r in rows]


async def get_endpoint(db: Db, endpoint_id: int) -> Endpoint | None:
    rows = await db.fetch_sql(
        f"SELECT {_ENDPOINT} FROM public.webhook_endpoint e WHERE e.id = $1", [endpoint_id]
    )
    return _endpoint(rows[0]) if rows else None


async def create_endpoint(
    db: Db,
    url: str,
    tables: list[str] | None,
    operations: list[ChangeOperation] | None,
    enabled: bool,
    description: str | None,
) -> tuple[Endpoint, str]:
    """Stores a new endpoint; returns it with its secret, which is shown this once."""
    secret = new_secret()
    rows = await db.fetch_sql(
        "INSERT INTO public.webhook_endpoint (url, tables, operations, secret, enabled,"
        " description) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        [url, tables, None if operations is None else [o.value for o in operations], secret,
         enabled, description],
    )  # fmt: skip
    made = await get_endpoint(db, rows[0]["id"])
    assert made is not None
    return made, secret


@dataclass(frozen=True)
class EndpointChanges:
    """What an update sets; a field left None is kept (``clear_*``: set to null, i.e. all)."""

    url: str | None = None
    tables: list[str] | None = None
    clear_tables: bool = False
    operations: list[ChangeOperation] | None = None
    clear_operations: bool = False
    enabled: bool | None = None
    description: str | None = None
    clear_description: bool = False


async def update_endpoint(db: Db, endpoint_id: int, changes: EndpointChanges) -> Endpoint | None:
    operations = None if changes.operations is None else [o.value for o in changes.operations]
    rows = await db.fetch_sql(
        """
        UPDATE public.webhook_endpoint SET
            url = coalesce($2, url),
            tables = CASE WHEN $3 THEN NULL ELSE coalesce($4, tables) END,
            operations = CASE WHEN $5 THEN NULL ELSE coalesce($6, operations) END,
            enabled = coalesce($7, enabled),
            description = CASE WHEN $8 THEN NULL ELSE coalesce($9, description) END,
            updated_at = now()
        WHERE id = $1 RETURNING id
        """,
        [endpoint_id, changes.url, changes.clear_tables, changes.tables,
         changes.clear_operations, operations, changes.enabled, changes.clear_description,
         changes.description],
    )  # fmt: skip
    return await get_endpoint(db, endpoint_id) if rows else None


async def rotate_secret(db: Db, endpoint_id: int, overlap_s: int) -> tuple[Endpoint, str] | None:
    """A new secret; the old one keeps signing (a second signature) for ``overlap_s``."""
    secret = new_secret()
    rows = await db.fetch_sql(
        """
        UPDATE public.webhook_endpoint SET
            previous_secret = CASE WHEN $3 > 0 THEN secret END,
            previous_until = CASE WHEN $3 > 0 THEN now() + $3 * interval '1 second' END,
            secret = $2, updated_at = now()
        WHERE id = $1 RETURNING id
        """,
        [endpoint_id, secret, overlap_s],
    )
    if not rows:
        return None
    endpoint = await get_endpoint(db, endpoint_id)
    assert endpoint is not None
    return endpoint, secret


async def delete_endpoint(db: Db, endpoint_id: int) -> Endpoint | None:
    """Deletes the endpoint and, with it, every delivery it still had."""
    found = await get_endpoint(db, endpoint_id)
    if found is not None:
        await db.fetch_sql("DELETE FROM public.webhook_endpoint WHERE id = $1", [endpoint_id])
    return found


async def dead_letters(db: Db, endpoint_id: int, limit: int) -> list[DeadLetter]:
    """The endpoint's parked deliveries, oldest first."""
    rows = await db.fetch_sql(
        """
        SELECT d.id, d.endpoint_id, a.txid, d.audit_id, d.import_id, d.attempts,
               d.last_status, d.last_error, d.created_at, d.finished_at
        FROM public.webhook_delivery d
        LEFT JOIN public.audit_log a ON a.id = d.audit_id
        WHERE d.endpoint_id = $1 AND d.state = 'dead'
        ORDER BY d.id
        LIMIT $2
        """,
        [endpoint_id, limit],
    )
    return [
        DeadLetter(
            id=r["id"],
            endpoint_id=r["endpoint_id"],
            cursor=(
                encode_cursor(Position(r["txid"], r["audit_id"])) if r["txid"] is not None else None
            ),
            import_id=r["import_id"],
            attempts=r["attempts"],
            last_status=r["last_status"],
            last_error=r["last_error"],
            created_at=r["created_at"],
            dead_at=r["finished_at"],
        )
        for r in rows
    ]


async def replay(db: Db, endpoint_id: int, delivery_id: int | None) -> int:
    """Puts dead letters back in line (one, or all of the endpoint's) with fresh attempts;
    how many."""
    rows = await db.fetch_sql(
        """
        UPDATE public.webhook_delivery SET
            state = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL,
            lease = NULL, finished_at = NULL
        WHERE endpoint_id = $1 AND state = 'dead' AND ($2::bigint IS NULL OR id = $2)
        RETURNING id
        """,
        [endpoint_id, delivery_id],
    )
    return len(rows)
