"""Admission of the bulk routes (``POST /api/v1/import``, ``GET /api/v1/export``) under the
same rate limits as every other request.

A bulk request's cost cannot be estimated from its query as a GraphQL request's can: an import
is only known once its body has been read, an export once it has been written. So each one
takes a flat ``bulk_request_cost`` from its key's bucket (the same bucket its GraphQL requests
draw on) before anything else happens, and at most ``bulk_concurrency`` of each kind run at
once per key, across every process, counted by PostgreSQL advisory locks held on the
connection that does the work: a lock is released with the transaction or the connection, so
no crashed request can keep a slot.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from enum import StrEnum

import asyncpg
from starlette.requests import Request

from service.auth.keys import Principal
from service.config import Settings
from service.db.pool import Connection
from service.gateway.buckets import Taken
from service.gateway.errors import THROTTLED, Refusal
from service.gateway.throttle import Throttle, bucket_headers

# How long a client is told to wait when every slot of its key is taken: an import or export
# lasts seconds to minutes, so sooner is pointless.
BUSY_RETRY_AFTER_S = 5


class BulkKind(StrEnum):
    IMPORT = "import"
    EXPORT = "export"


@dataclass(frozen=True)
class Admission:
    """What a request admitted to a bulk route answers with: its bucket's state."""

    headers: dict[str, str] = field(default_factory=dict)


def _lock_class(kind: BulkKind) -> int:
    # The first key of a two-int advisory lock, the same in every process.
    return zlib.crc32(f"stakegraph:bulk:{kind}".encode()) & 0x7FFFFFFF


async def charge_bulk(
    throttle: Throttle | None, request: Request, principal: Principal, pool: asyncpg.Pool
) -> Admission:
    """Takes the flat bulk cost from the key's bucket, or refuses with THROTTLED (429)."""
    if throttle is None or not throttle.enabled:
        return Admission()
    quota = await throttle.quota(principal, pool)
    cost = throttle.settings.bulk_request_cost
    charge = await throttle.charge(request.scope, principal, quota, cost)
    taken: Taken = charge.taken
    return Admission(bucket_headers(quota, taken))


async def take_slot(
    conn: Connection, settings: Settings, principal: Principal, kind: BulkKind
) -> None:
    """Holds one of the key's ``bulk_concurrency`` slots for ``kind`` on ``conn`` (until its
    session ends or :func:`release_slots`), or refuses with THROTTLED (429)."""
    if principal.key_id is None:
        return
    lock_class = _lock_class(kind)
    key = principal.key_id
    for slot in range(settings.bulk_concurrency):
        # One lock id per (key, slot): the key in the high bits, the slot in the low ones.
        if await conn.fetchval(
            "SELECT pg_try_advisory_lock($1, $2)", lock_class, (key << 8 | slot) & 0x7FFFFFFF
        ):
            return
    refusal = Refusal(
        THROTTLED,
        f"This API key already runs {settings.bulk_concurrency} {kind}(s), the most it may run "
        f"at once; retry when one has finished.",
        status=429,
        request_level=True,
    )
    refusal.headers = {"retry-after": str(BUSY_RETRY_AFTER_S)}
    raise refusal


async def release_slots(conn: Connection) -> None:
    """Gives back every slot held on ``conn`` (the pool's reset does too; this is for a
    connection that goes back to work before it is reset)."""
    await conn.execute("SELECT pg_advisory_unlock_all()")
