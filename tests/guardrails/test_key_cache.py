"""Verified API keys are remembered per worker, and forgotten as soon as any key changes."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from service.auth.cache import KeyCache
from service.auth.keys import authenticate, revoke_key
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.gateway.buckets import Quota
from service.gateway.quotas import set_own_quota
from tests.guardrails.conftest import bearer, new_key, serving

QUERY = "{ organizations(first: 1) { nodes { slug } } }"


async def _until(check: object, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_remembered_key_is_not_looked_up_again_until_a_key_changes(
    guard_url: str,
) -> None:
    _, key = await new_key(guard_url, Scope.READ)
    lookups = 0
    conn = await asyncpg.connect(asyncpg_dsn(guard_url))
    cache = KeyCache(guard_url, ttl_s=60, max_entries=10)
    await cache.start()
    try:

        async def lookup() -> object:
            nonlocal lookups
            lookups += 1
            return await authenticate(conn, key)

        assert cache.trusted
        first = await cache.principal(key, lookup)  # type: ignore[arg-type]
        again = await cache.principal(key, lookup)  # type: ignore[arg-type]
        assert first == again
        assert lookups == 1
        # Any committed change to api_key, here a quota of another key, empties the cache.
        _, other = await new_key(guard_url, Scope.READ, name="other")
        assert await _until(lambda: _empty(cache))
        await cache.principal(key, lookup)  # type: ignore[arg-type]
        assert lookups == 2
        await set_own_quota(conn, other.split("_")[1], Quota(10, 1))
        assert await _until(lambda: _empty(cache))
    finally:
        await cache.close()
        await conn.close()


async def _empty(cache: KeyCache) -> bool:
    return not cache._entries


async def test_no_memory_without_a_ttl_or_a_listening_connection(guard_url: str) -> None:
    _, key = await new_key(guard_url, Scope.READ)
    conn = await asyncpg.connect(asyncpg_dsn(guard_url))
    lookups = 0

    async def lookup() -> object:
        nonlocal lookups
        lookups += 1
        return await authenticate(conn, key)

    try:
        off = KeyCache(guard_url, ttl_s=0, max_entries=10)
        await off.start()
        await off.principal(key, lookup)  # type: ignore[arg-type]
        await off.principal(key, lookup)  # type: ignore[arg-type]
        assert lookups == 2
        assert not off.trusted
        unreachable = KeyCache("postgresql://postgres@127.0.0.1:1/none", ttl_s=60, max_entries=10)
        await unreachable.start()
        await unreachable.principal(key, lookup)  # type: ignore[arg-type]
        await unreachable.principal(key, lookup)  # type: ignore[arg-type]
        assert lookups == 4
        assert not unreachable.trusted
        await unreachable.close()
    finally:
        await conn.close()


async def test_a_key_revoked_elsewhere_is_refused_at_once(guard_url: str) -> None:
    _, key = await new_key(guard_url, Scope.READ)
    async with serving(guard_url, rate_limit=False) as (_, client):
        for _ in range(3):
            answer = await client.post("/graphql", json={"query": QUERY}, headers=bearer(key))
            assert answer.status_code == 200
            assert "errors" not in answer.json()
        conn = await asyncpg.connect(asyncpg_dsn(guard_url))
        try:
            assert await revoke_key(conn, key.split("_")[1]) is not None
        finally:
            await conn.close()

        async def refused() -> bool:
            answer = await client.post("/graphql", json={"query": QUERY}, headers=bearer(key))
            return bool(answer.json().get("errors"))

        assert await _until(refused, seconds=1.0)
        answer = await client.post("/graphql", json={"query": QUERY}, headers=bearer(key))
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
