"""API keys: created once, stored as a salted hash, found by a non-secret prefix.

A key reads ``sg_<prefix>_<secret>``. The prefix (8 hex characters) is stored in clear so the
row can be found with an index; the secret (32 random bytes) is never stored, only
SHA-256(salt ‖ key) with a per-key random salt. Keys are long random secrets, not passwords, so
a fast hash is enough: guessing is hopeless either way, and a slow hash would only slow every
request. Comparison is constant-time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from service.domain import Scope

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"

_KEY = re.compile(r"^sg_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
_RANK = {Scope.READ: 0, Scope.WRITE: 1, Scope.ADMIN: 2}


class Conn(Protocol):
    """Anything that runs a query: a connection, a pool, a request's transaction."""

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def fetch(self, query: str, *args: Any) -> Any: ...


class AuthError(Exception):
    """A request that may not proceed: ``code`` is UNAUTHENTICATED or FORBIDDEN."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return 401 if self.code == UNAUTHENTICATED else 403


@dataclass(frozen=True)
class Principal:
    """Who is asking: a key (its id, name and scope), or nobody."""

    key_id: int | None
    name: str | None
    scope: Scope | None

    def allows(self, needed: Scope) -> bool:
        return self.scope is not None and _RANK[self.scope] >= _RANK[needed]


ANONYMOUS = Principal(None, None, None)


@dataclass(frozen=True)
class KeyInfo:
    id: int
    prefix: str
    name: str
    scope: Scope
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _digest(salt: bytes, key: str) -> bytes:
    return hashlib.sha256(salt + key.encode()).digest()


def new_key() -> tuple[str, str, bytes, bytes]:
    """A fresh key: (the key as shown once, its prefix, salt, hash)."""
    prefix = secrets.token_hex(4)
    key = f"sg_{prefix}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_bytes(16)
    return key, prefix, salt, _digest(salt, key)


async def create_key(conn: Conn, name: str, scope: Scope) -> tuple[KeyInfo, str]:
    """Stores a new key; returns it with the only copy of its secret."""
    if not name.strip():
        raise ValueError("a key needs a non-blank name")
    key, prefix, salt, digest = new_key()
    row = await conn.fetchrow(
        "INSERT INTO public.api_key (prefix, name, scope, salt, secret_hash)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING id, prefix, name, scope, created_at, revoked_at",
        prefix,
        name.strip(),
        scope.value,
        salt,
        digest,
    )
    assert row is not None
    return _info(row), key


def _info(row: asyncpg.Record) -> KeyInfo:
    return KeyInfo(
        id=row["id"],
        prefix=row["prefix"],
        name=row["name"],
        scope=Scope(row["scope"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


async def list_keys(conn: Conn) -> list[KeyInfo]:
    rows = await conn.fetch(
        "SELECT id, prefix, name, scope, created_at, revoked_at FROM public.api_key ORDER BY id"
    )
    return [_info(r) for r in rows]


async def revoke_key(conn: Conn, id_or_prefix: str) -> KeyInfo | None:
    """Revokes a key by id or prefix; None if no such key. Revoking twice keeps the first time."""
    row = await conn.fetchrow(
        "UPDATE public.api_key SET revoked_at = coalesce(revoked_at, now())"
        " WHERE prefix = $1 OR id::text = $1"
        " RETURNING id, prefix, name, scope, created_at, revoked_at",
        id_or_prefix,
    )
    return _info(row) if row is not None else None


def bearer_token(authorization: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header; None without the header."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(UNAUTHENTICATED, "The Authorization header must read `Bearer <API key>`.")
    return token.strip()


async def authenticate(conn: Conn, token: str | None) -> Principal:
    """The key's principal; ANONYMOUS without a token. Unknown, malformed or revoked keys are
    refused alike, so that a caller learns nothing about which keys exist."""
    if token is None:
        return ANONYMOUS
    match = _KEY.match(token)
    row = None
    if match is not None:
        row = await conn.fetchrow(
            "SELECT id, name, scope, salt, secret_hash, revoked_at FROM public.api_key"
            " WHERE prefix = $1",
            match.group(1),
        )
    if (
        row is None
        or not hmac.compare_digest(_digest(row["salt"], token), row["secret_hash"])
        or row["revoked_at"] is not None
    ):
        raise AuthError(UNAUTHENTICATED, "The API key is unknown or revoked.")
    return Principal(row["id"], row["name"], Scope(row["scope"]))


def require(principal: Principal, needed: Scope, what: str) -> None:
    """Refuses a principal without ``needed``: UNAUTHENTICATED without a key, else FORBIDDEN."""
    if principal.allows(needed):
        return
    if principal.key_id is None:
        raise AuthError(UNAUTHENTICATED, f"{what} needs an API key with the `{needed}` scope.")
    raise AuthError(
        FORBIDDEN,
        f"{what} needs the `{needed}` scope; the key `{principal.name}` has `{principal.scope}`.",
    )
