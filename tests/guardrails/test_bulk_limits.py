"""The bulk routes under the rate limits: a flat cost from the key's bucket, and a bounded
number running at once per key (service/gateway/bulk_admission.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg

from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.bulk.format import canonical, end_record, header_record
from tests.guardrails.conftest import bearer, new_key, serving


def _body(slug: str) -> bytes:
    records = [
        header_record(),
        {"type": "organization", "slug": slug, "name": slug.title(), "kinds": ["STARTUP"]},
        end_record(1),
    ]
    return "".join(canonical(r) + "\n" for r in records).encode()


async def _exists(url: str, slug: str) -> bool:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM organization WHERE slug = $1", slug))
    finally:
        await conn.close()


async def test_an_import_takes_its_flat_cost_and_is_refused_when_the_bucket_is_empty(
    guard_url: str,
) -> None:
    _, key = await new_key(guard_url, Scope.WRITE, "bulk-cost")
    settings = {"rate_write_capacity": 1_500, "rate_write_restore": 1, "bulk_request_cost": 1_000}
    async with serving(guard_url, **settings) as (_, client):
        first = await client.post(
            "/api/v1/import", content=_body("bulk-cost-one"), headers=bearer(key)
        )
        second = await client.post(
            "/api/v1/import", content=_body("bulk-cost-two"), headers=bearer(key)
        )
        # The same bucket as the key's GraphQL requests: what the import took is gone there too.
        graphql = await client.post(
            "/graphql",
            json={"query": "{ organizations(first: 5) { nodes { slug } } }"},
            headers=bearer(key),
        )
    assert first.status_code == 200, first.text
    assert first.headers["ratelimit-policy"] == '"cost";q=1500;w=1500'
    assert second.status_code == 429, second.text
    assert second.json()["error"]["code"] == "THROTTLED"
    assert int(second.headers["retry-after"]) >= 1
    assert await _exists(guard_url, "bulk-cost-one")
    assert not await _exists(guard_url, "bulk-cost-two")
    assert graphql.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 600


async def test_an_export_over_the_bucket_is_a_429_problem(guard_url: str) -> None:
    _, key = await new_key(guard_url, Scope.READ, "bulk-export-cost")
    settings = {"rate_read_capacity": 1_000, "rate_read_restore": 1, "bulk_request_cost": 800}
    async with serving(guard_url, **settings) as (_, client):
        first = await client.get("/api/v1/export?types=organization", headers=bearer(key))
        second = await client.get("/api/v1/export?types=organization", headers=bearer(key))
    assert first.status_code == 200
    assert '"type":"header"' in first.text.splitlines()[0]
    assert second.status_code == 429
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["code"] == "THROTTLED"
    assert "retry-after" in second.headers


async def test_one_key_runs_one_import_at_a_time(guard_url: str) -> None:
    _, key = await new_key(guard_url, Scope.WRITE, "bulk-slots")
    _, other = await new_key(guard_url, Scope.WRITE, "bulk-slots-other")
    released = asyncio.Event()
    started = asyncio.Event()

    async def held_body() -> AsyncIterator[bytes]:
        body = _body("bulk-slot-held")
        yield body[:10]
        started.set()
        await released.wait()
        yield body[10:]

    async with serving(guard_url, bulk_concurrency=1) as (_, client):
        held = asyncio.create_task(
            client.post("/api/v1/import", content=held_body(), headers=bearer(key))
        )
        await asyncio.wait_for(started.wait(), 30)
        busy = await client.post(
            "/api/v1/import", content=_body("bulk-slot-busy"), headers=bearer(key)
        )
        # Another key is not held back by this one's import.
        free = await client.post(
            "/api/v1/import", content=_body("bulk-slot-other"), headers=bearer(other)
        )
        released.set()
        done = await asyncio.wait_for(held, 60)
        after = await client.post(
            "/api/v1/import", content=_body("bulk-slot-after"), headers=bearer(key)
        )
    assert busy.status_code == 429, busy.text
    assert busy.json()["error"]["code"] == "THROTTLED"
    assert "already runs 1 import" in busy.json()["error"]["message"]
    assert busy.headers["retry-after"] == "5"
    assert free.status_code == 200, free.text
    assert done.status_code == 200, done.text
    # The slot went back with the finished import.
    assert after.status_code == 200, after.text
    assert not await _exists(guard_url, "bulk-slot-busy")
    assert await _exists(guard_url, "bulk-slot-after")
