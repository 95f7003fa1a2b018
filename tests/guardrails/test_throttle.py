"""Query cost in every answer, and the rate limits that spend it (issue 15, item 1)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
import uuid
from typing import Any

import asyncpg
import pytest

from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.gateway.buckets import Quota
from service.gateway.clients import client_address, parse_proxies
from service.gateway.quotas import set_own_quota
from service.telemetry import metrics
from tests.guardrails.conftest import bearer, new_key, serving

PAGE = "{ organizations(first: 5) { nodes { slug } } }"
TWENTY = "{ organizations(first: 20) { nodes { slug } } }"
NOTHING = '{ organizations(first: 100, filter: {slug: {eq: "no-such-org"}}) { nodes { slug } } }'


@pytest.mark.parametrize("compiler", [True, False])
async def test_the_cost_is_in_every_answer(guard_url: str, compiler: bool) -> None:
    async with serving(guard_url, compiler=compiler) as (_, client):
        response = await client.post("/graphql", json={"query": PAGE})
    assert response.status_code == 200
    assert response.headers["x-stakegraph-executor"] == ("compiled" if compiler else "resolvers")
    body = response.json()
    assert len(body["data"]["organizations"]["nodes"]) == 5
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 5
    assert cost["actualQueryCost"] == 5
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 50_000
    assert status["restoreRate"] == 1_000
    assert 49_995 <= status["currentlyAvailable"] <= 50_000
    assert response.headers["ratelimit-policy"] == '"cost";q=50000;w=50'
    assert response.headers["ratelimit"].startswith('"cost";r=')


async def test_what_a_request_did_not_use_is_given_back(guard_url: str) -> None:
    async with serving(guard_url, rate_anonymous_capacity=1_000, rate_anonymous_restore=1) as (
        _,
        client,
    ):
        body = (await client.post("/graphql", json={"query": NOTHING})).json()
    assert body["data"]["organizations"]["nodes"] == []
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 100
    assert cost["actualQueryCost"] == 0
    assert cost["throttleStatus"]["currentlyAvailable"] == 1_000


async def test_a_request_over_its_bucket_is_refused_before_any_sql(guard_url: str) -> None:
    async with serving(guard_url, rate_anonymous_capacity=30, rate_anonymous_restore=1) as (
        app,
        client,
    ):
        first = await client.post("/graphql", json={"query": TWENTY})
        assert first.status_code == 200
        assert first.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 10
        before = metrics.THROTTLED.labels(kind="addr")._value.get()
        app.state.statement_log = []
        second = await client.post("/graphql", json={"query": TWENTY})
        assert app.state.statement_log == []
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) >= 10
    assert second.headers["ratelimit-policy"] == '"cost";q=30;w=30'
    assert second.headers["ratelimit"].startswith('"cost";r=10;t=')
    body = second.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["cost"]["requestedQueryCost"] == 20
    assert error["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 30
    assert "retry in" in error["message"]
    assert metrics.THROTTLED.labels(kind="addr")._value.get() == before + 1


async def test_a_query_costing_more_than_the_bucket_says_so(guard_url: str) -> None:
    async with serving(guard_url, rate_anonymous_capacity=10, rate_anonymous_restore=1) as (
        _,
        client,
    ):
        response = await client.post("/graphql", json={"query": TWENTY})
    assert response.status_code == 429
    assert "more than this client's bucket holds (10)" in response.json()["errors"][0]["message"]


async def test_keys_draw_on_their_own_buckets_by_scope_or_own_quota(guard_url: str) -> None:
    plain_id, plain = await new_key(guard_url, Scope.READ, "plain")
    own_id, own = await new_key(guard_url, Scope.READ, "own quota")
    conn = await asyncpg.connect(asyncpg_dsn(guard_url))
    try:
        assert await set_own_quota(conn, str(own_id), Quota(500, 7)) == own_id
        with pytest.raises(ValueError, match="positive"):
            await set_own_quota(conn, str(own_id), Quota(0, 7))
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE api_key SET rate_capacity = 5 WHERE id = $1", plain_id)
    finally:
        await conn.close()
    async with serving(guard_url, rate_read_capacity=2_000, rate_read_restore=20) as (_, client):
        anonymous = (await client.post("/graphql", json={"query": PAGE})).json()
        by_scope = await client.post("/graphql", json={"query": PAGE}, headers=bearer(plain))
        by_own = await client.post("/graphql", json={"query": PAGE}, headers=bearer(own))
    assert anonymous["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 50_000
    scoped = by_scope.json()["extensions"]["cost"]["throttleStatus"]
    assert (scoped["maximumAvailable"], scoped["restoreRate"]) == (2_000, 20)
    own_status = by_own.json()["extensions"]["cost"]["throttleStatus"]
    assert (own_status["maximumAvailable"], own_status["restoreRate"]) == (500, 7)
    assert by_own.headers["ratelimit-policy"] == '"cost";q=500;w=72'


def test_the_client_address_is_believed_only_from_trusted_proxies() -> None:
    proxies = parse_proxies("10.0.0.0/8, 192.168.1.7")
    forwarded = [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.9, 10.1.2.3")]
    direct: dict[str, Any] = {"client": ("198.51.100.4", 1234), "headers": forwarded}
    assert client_address(direct, proxies) == "198.51.100.4"
    proxied: dict[str, Any] = {"client": ("192.168.1.7", 1234), "headers": forwarded}
    # The last hop before the trusted ones; what the client wrote before it proves nothing.
    assert client_address(proxied, proxies) == "203.0.113.9"
    assert client_address(proxied, ()) == "192.168.1.7"
    with pytest.raises(ValueError, match="not an address"):
        parse_proxies("10.0.0.0/8, proxy.example")


async def test_when_redis_fails_the_process_limits_alone(
    guard_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = metrics.RATE_LIMIT_FALLBACKS._value.get()
    caplog.set_level(logging.WARNING, logger="service.gateway.throttle")
    # Port 1: nothing listens there, so every connection is refused.
    async with serving(
        guard_url,
        redis_url="redis://127.0.0.1:1/0",
        rate_anonymous_capacity=30,
        rate_anonymous_restore=1,
    ) as (_, client):
        first = await client.post("/graphql", json={"query": TWENTY})
        second = await client.post("/graphql", json={"query": TWENTY})
    assert first.status_code == 200
    assert first.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 10
    assert second.status_code == 429
    assert metrics.RATE_LIMIT_FALLBACKS._value.get() == before + 2
    warnings = [r for r in caplog.records if "Redis failed" in r.getMessage()]
    assert len(warnings) == 1


# -- two processes, one bucket -----------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"
CAPACITY = 400
RESTORE = 1
ATTEMPTS = 40


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


async def _spend(url: str, key: str, namespace: str) -> tuple[int, int, float, float]:
    async with serving(url, redis_url=REDIS_URL, rate_limit_namespace=namespace) as (_, client):
        allowed = refused = 0
        started = time.time()
        for _ in range(ATTEMPTS):
            response = await client.post("/graphql", json={"query": TWENTY}, headers=bearer(key))
            assert response.status_code in (200, 429), response.text
            if response.status_code == 200:
                assert response.json()["extensions"]["cost"]["actualQueryCost"] == 20
                allowed += 1
            else:
                refused += 1
        return allowed, refused, started, time.time()


def spend_in_a_process(url: str, key: str, namespace: str) -> tuple[int, int, float, float]:
    return asyncio.run(_spend(url, key, namespace))


async def test_two_processes_share_one_keys_bucket_through_redis(guard_url: str) -> None:
    if not _redis_answers():
        pytest.skip(f"no Redis at {REDIS_URL}")
    key_id, key = await new_key(guard_url, Scope.READ, "shared")
    conn = await asyncpg.connect(asyncpg_dsn(guard_url))
    try:
        await set_own_quota(conn, str(key_id), Quota(CAPACITY, RESTORE))
    finally:
        await conn.close()
    namespace = f"sgtest-{uuid.uuid4().hex[:12]}"
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as workers:
        runs = await asyncio.to_thread(
            workers.starmap, spend_in_a_process, [(guard_url, key, namespace)] * 2
        )
    allowed = sum(r[0] for r in runs)
    window = max(r[3] for r in runs) - min(r[2] for r in runs)
    # Each process alone would let 20 through (400 points at 20 each); together they share
    # one bucket, refilled at 1 point a second while they ran.
    assert all(r[0] + r[1] == ATTEMPTS for r in runs)
    assert allowed * 20 <= CAPACITY + RESTORE * window + 20
    assert allowed >= CAPACITY // 20
    assert all(r[1] > 0 for r in runs)
