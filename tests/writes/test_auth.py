"""API keys and scopes: every mutation by no key, read key, write key, revoked key; reads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from graphql import GraphQLNonNull, get_named_type

from service.auth.keys import authenticate, bearer_token, create_key, list_keys, revoke_key
from service.config import Settings
from service.domain import Scope
from service.gateway.access import ADMIN_FIELDS
from service.schema import build_schema
from tests.writes.conftest import Client, make_client

_SCHEMA = build_schema()._schema
assert _SCHEMA.mutation_type is not None
MUTATIONS = sorted(_SCHEMA.mutation_type.fields)
ADMIN_ONLY = ADMIN_FIELDS


def _document(name: str) -> str:
    """The mutation with its input as a variable: it validates, and fails only when it runs."""
    field = _SCHEMA.mutation_type.fields[name]  # type: ignore[union-attr]
    argument = field.args["input"]
    assert isinstance(argument.type, GraphQLNonNull)
    input_type = get_named_type(argument.type).name
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename }} }}"


def test_every_mutation_is_covered() -> None:
    assert len(MUTATIONS) >= 15 * 3 + 4
    assert set(MUTATIONS) >= ADMIN_ONLY


@pytest.mark.parametrize("name", MUTATIONS)
@pytest.mark.parametrize("who", ["none", "read", "write", "revoked", "admin"])
async def test_auth_matrix(client: Client, keys: dict[str, str], name: str, who: str) -> None:
    key = None if who == "none" else keys[who]
    body = await client.gql(_document(name), key=key)
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    needed = "admin" if name in ADMIN_ONLY else "write"
    if who in ("none", "revoked"):
        assert codes == ["UNAUTHENTICATED"], body
        assert "data" not in body
    elif who == "read" or (who == "write" and needed == "admin"):
        assert codes == ["FORBIDDEN"], body
        assert "data" not in body
    else:
        # Authorised: the request gets as far as its (missing) input.
        assert "UNAUTHENTICATED" not in codes
        assert "FORBIDDEN" not in codes
        assert codes, body


async def test_a_malformed_or_unknown_key_is_refused_even_for_public_reads(
    client: Client,
) -> None:
    for header in ("Bearer nonsense", "Basic abc", "Bearer sg_00000000_" + "a" * 43):
        response = await client.http.post(
            "/graphql",
            json={"query": "{ organizations(first: 1) { nodes { slug } } }"},
            headers={"Authorization": header},
        )
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.fixture(scope="module")
async def private_client(write_url: str) -> AsyncIterator[Client]:
    async for made in make_client(write_url, Settings(database_url=write_url, env="production")):
        yield made


async def test_reads_need_a_key_in_production(private_client: Client, keys: dict[str, str]) -> None:
    query = "{ organizations(first: 1) { nodes { slug } } }"
    refused = await private_client.gql(query)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for scope in ("read", "write", "admin"):
        allowed = await private_client.gql(query, key=keys[scope])
        assert "errors" not in allowed, allowed
    revoked = await private_client.gql(query, key=keys["revoked"])
    assert revoked["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_public_read_follows_the_environment() -> None:
    assert Settings(env="development").reads_are_public
    assert not Settings(env="production").reads_are_public
    assert Settings(env="production", public_read=True).reads_are_public
    assert not Settings(public_read=False).reads_are_public


async def test_only_a_salted_hash_is_stored(conn: asyncpg.Connection) -> None:
    info, key = await create_key(conn, "hash check", Scope.READ)
    row = await conn.fetchrow("SELECT * FROM api_key WHERE id = $1", info.id)
    assert row is not None
    stored = b"".join(v for v in row.values() if isinstance(v, bytes))
    assert key.encode() not in stored
    assert key not in {str(v) for v in row.values()}
    assert (await authenticate(conn, key)).key_id == info.id
    other_info, _ = await create_key(conn, "hash check 2", Scope.READ)
    other = await conn.fetchrow("SELECT salt FROM api_key WHERE id = $1", other_info.id)
    assert other is not None
    assert other["salt"] != row["salt"]
    assert await revoke_key(conn, info.prefix) is not None
    assert any(k.id == info.id and k.revoked_at is not None for k in await list_keys(conn))
    with pytest.raises(Exception, match="unknown or revoked"):
        await authenticate(conn, key)
    assert bearer_token(None) is None
