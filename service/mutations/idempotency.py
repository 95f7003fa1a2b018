"""Idempotency keys: a mutation request sent again with the same ``Idempotency-Key`` header
within 24 hours gets the first response back and changes nothing.

The key is claimed in the request's own write transaction, before any mutation runs, and the
response is stored in that transaction just before it commits. So a committed claim always has
its response; a concurrent duplicate waits on the claim's row lock and then replays; and a
request that fails to commit leaves no claim behind, so its retry runs afresh. Keys are scoped
to the API key that sent them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graphql import ExecutionResult, GraphQLError

from service.repository.db import Db

HEADER = "idempotency-key"
MAX_LENGTH = 255
RETENTION = "24 hours"

IDEMPOTENCY_KEY_INVALID = "IDEMPOTENCY_KEY_INVALID"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


class Replay(Exception):
    """The request was already applied: ``result`` is its first response."""

    def __init__(self, result: ExecutionResult) -> None:
        super().__init__("replayed")
        self.result = result


def check_key(value: str) -> str:
    key = value.strip()
    if not key or len(key) > MAX_LENGTH or not key.isprintable():
        raise GraphQLError(
            f"The Idempotency-Key header must be 1 to {MAX_LENGTH} printable characters.",
            extensions={"code": IDEMPOTENCY_KEY_INVALID},
        )
    return key


def fingerprint(query: str, operation_name: str | None, variables: Any) -> str:
    """What makes a repeat "the same request": document, operation name and variables."""
    canonical = json.dumps(
        {"query": query, "operationName": operation_name, "variables": variables},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(db: Db, key_id: int, key: str, request_fingerprint: str) -> None:
    """Claims the key for this request, or raises Replay / a REUSED error.

    An expired claim (older than the retention) is taken over in the same statement.
    """
    rows = await db.fetch_sql(
        "INSERT INTO public.idempotency_key AS k (key_id, key, fingerprint) VALUES ($1, $2, $3)"
        " ON CONFLICT (key_id, key) DO UPDATE"
        " SET fingerprint = excluded.fingerprint, created_at = now(), response = NULL"
        f" WHERE k.created_at < now() - interval '{RETENTION}'"
        " RETURNING 1",
        [key_id, key, request_fingerprint],
    )
    if rows:
        # Expired keys of every client are dropped as new ones arrive: an indexed range delete.
        await db.fetch_sql(
            f"DELETE FROM public.idempotency_key WHERE created_at < now() - interval '{RETENTION}'"
        )
        return
    existing = await db.fetch_sql(
        "SELECT fingerprint, response FROM public.idempotency_key WHERE key_id = $1 AND key = $2",
        [key_id, key],
    )
    stored_fingerprint, response = existing[0]["fingerprint"], existing[0]["response"]
    if stored_fingerprint != request_fingerprint:
        raise GraphQLError(
            "This Idempotency-Key was already used for a different request in the last "
            f"{RETENTION}; use a new key for a new request.",
            extensions={"code": IDEMPOTENCY_KEY_REUSED},
        )
    raise Replay(_result(json.loads(response)))


async def store(db: Db, key_id: int, key: str, response: dict[str, Any]) -> None:
    await db.fetch_sql(
        "UPDATE public.idempotency_key SET response = $3::jsonb WHERE key_id = $1 AND key = $2",
        [key_id, key, json.dumps(response)],
    )


def _result(stored: dict[str, Any]) -> ExecutionResult:
    errors = [
        GraphQLError(e["message"], path=e.get("path"), extensions=e.get("extensions"))
        for e in stored.get("errors") or ()
    ]
    return ExecutionResult(data=stored.get("data"), errors=errors or None)
