"""Idempotency-Key: applied once, repeats replay the first response, reuse for another request is
refused, and concurrent repeats still apply once."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.writes.conftest import Client

CREATE = """
mutation($input: PersonCreateInput!) {
  personCreate(input: $input) { person { id slug version } userErrors { code } }
}
"""


def _person(slug: str) -> dict[str, dict[str, str]]:
    return {"input": {"slug": slug, "name": slug.replace("-", " ").title()}}


async def _count(conn: asyncpg.Connection, slug: str) -> int:
    value: int = await conn.fetchval("SELECT count(*) FROM person WHERE slug = $1", slug)
    return value


async def test_a_repeat_returns_the_first_result_without_a_second_effect(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    first = await client.gql(CREATE, _person("idem-one"), key=keys["write"], idempotency_key="k-1")
    assert first["data"]["personCreate"]["userErrors"] == []
    audit = await conn.fetchval("SELECT count(*) FROM audit_log")
    repeat = await client.gql(CREATE, _person("idem-one"), key=keys["write"], idempotency_key="k-1")
    assert repeat == first
    assert await _count(conn, "idem-one") == 1
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == audit
    # Without the header the same request is a new one: here a duplicate slug.
    again = await client.gql(CREATE, _person("idem-one"), key=keys["write"])
    assert again["data"]["personCreate"]["userErrors"][0]["code"] == "DUPLICATE"


async def test_the_same_key_for_another_request_is_refused(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    await client.gql(CREATE, _person("idem-two"), key=keys["write"], idempotency_key="k-2")
    other = await client.gql(
        CREATE, _person("idem-three"), key=keys["write"], idempotency_key="k-2"
    )
    assert other["data"] is None
    assert other["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await _count(conn, "idem-three") == 0


async def test_keys_belong_to_the_api_key_that_sent_them(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    await client.gql(CREATE, _person("idem-four"), key=keys["write"], idempotency_key="k-3")
    admin = await client.gql(CREATE, _person("idem-five"), key=keys["admin"], idempotency_key="k-3")
    assert admin["data"]["personCreate"]["userErrors"] == []
    assert await _count(conn, "idem-five") == 1


async def test_concurrent_repeats_apply_once(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    bodies = await asyncio.gather(
        *(
            client.gql(CREATE, _person("idem-six"), key=keys["write"], idempotency_key="k-4")
            for _ in range(6)
        )
    )
    assert await _count(conn, "idem-six") == 1
    assert all(b == bodies[0] for b in bodies), bodies
    assert bodies[0]["data"]["personCreate"]["userErrors"] == []


async def test_an_expired_key_can_be_used_again(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    await client.gql(CREATE, _person("idem-seven"), key=keys["write"], idempotency_key="k-5")
    await conn.execute(
        "UPDATE idempotency_key SET created_at = now() - interval '25 hours' WHERE key = 'k-5'"
    )
    fresh = await client.gql(
        CREATE, _person("idem-eight"), key=keys["write"], idempotency_key="k-5"
    )
    assert fresh["data"]["personCreate"]["userErrors"] == []
    assert await _count(conn, "idem-eight") == 1


async def test_a_bad_header_is_a_clear_error(client: Client, keys: dict[str, str]) -> None:
    body = await client.gql(
        CREATE, _person("idem-nine"), key=keys["write"], idempotency_key="x" * 300
    )
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_INVALID"
