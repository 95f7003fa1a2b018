"""Persisted documents: Apollo's automatic persisted queries (over POST and a cacheable GET),
shared through Redis, and the trusted-documents mode with the manifests clients produce."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from service.app import create_app
from service.config import Settings
from service.gateway.manifest import (
    APOLLO_FORMAT,
    ManifestError,
    build_manifest,
    load_manifest,
    parse_manifest,
    sha256_hex,
)
from service.operations import OPERATIONS_DIR
from tests.frontends.support import client

REDIS_URL = "redis://127.0.0.1:6379/0"


def _unique_query() -> str:
    """A document no earlier run registered (Redis outlives test runs)."""
    return f'query Moon{uuid.uuid4().hex} {{ organization(slug: "moonshot-ai") {{ name }} }}'


def _apq(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def _get_params(sha: str) -> dict[str, str]:
    return {"extensions": json.dumps(_apq(sha))}


async def test_apq_round_trip_then_a_cacheable_get_from_the_compiled_path(
    migrated_url: str,
) -> None:
    query = _unique_query()
    sha = sha256_hex(query)
    async with client(migrated_url) as c:
        unknown = await c.post("/graphql", json={"extensions": _apq(sha)})
        unknown_get = await c.get("/graphql", params=_get_params(sha))
        registered = await c.post("/graphql", json={"query": query, "extensions": _apq(sha)})
        by_hash = await c.get(
            "/graphql",
            params=_get_params(sha),
            headers={"Accept": "application/graphql-response+json"},
        )
        keyed = await c.get(
            "/graphql", params=_get_params(sha), headers={"Authorization": "Bearer sg_nonsense"}
        )
    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    # A miss must not be cached, or the document could never be found through the cache.
    assert unknown_get.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown_get.headers["cache-control"] == "no-store"
    assert registered.json()["data"] == {"organization": {"name": "Moonshot AI"}}
    assert "cache-control" not in registered.headers  # POST responses are not cached
    assert by_hash.status_code == 200
    assert by_hash.json() == registered.json()
    assert by_hash.headers["content-type"].startswith("application/graphql-response+json")
    assert by_hash.headers["x-stakegraph-executor"] == "compiled"
    assert by_hash.headers["cache-control"] == "public, max-age=60"
    vary = {v.strip() for v in by_hash.headers["vary"].split(",")}
    assert {"Accept", "Authorization", "Stakegraph-As-Of", "Origin"} <= vary
    assert keyed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert keyed.headers["cache-control"] == "no-store"


async def test_keyed_or_failed_gets_are_not_stored(migrated_url: str) -> None:
    async with client(migrated_url, public_read=False, get_max_age_s=30) as c:
        refused = await c.get("/graphql", params={"query": "{ __typename }"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused.headers["cache-control"] == "no-store"
    async with client(migrated_url, get_max_age_s=30) as c:
        public = await c.get("/graphql", params={"query": "{ __typename }"})
        invalid = await c.get("/graphql", params={"query": "{ nothingHere }"})
    assert public.headers["cache-control"] == "public, max-age=30"
    assert invalid.headers["cache-control"] == "no-store"


async def test_a_hash_that_is_not_the_documents_or_an_invalid_document_registers_nothing(
    migrated_url: str,
) -> None:
    query = _unique_query()
    invalid = "query Broken { nothingHere }"
    async with client(migrated_url) as c:
        mismatch = await c.post(
            "/graphql", json={"query": query, "extensions": _apq(sha256_hex("other"))}
        )
        refused = await c.post(
            "/graphql", json={"query": invalid, "extensions": _apq(sha256_hex(invalid))}
        )
        after = await c.post("/graphql", json={"extensions": _apq(sha256_hex(invalid))})
        malformed = await c.post("/graphql", json={"extensions": _apq("ABC")})
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert malformed.status_code == 400
    assert "64 lower-case hexadecimal" in malformed.json()["errors"][0]["message"]


async def test_registrations_are_bounded_in_bytes(migrated_url: str) -> None:
    first, second = _unique_query(), _unique_query()
    # Room for one document only: registering the second forgets the first.
    async with client(migrated_url, apq_cache_bytes=len(first) + 10) as c:
        for query in (first, second):
            registered = await c.post(
                "/graphql", json={"query": query, "extensions": _apq(sha256_hex(query))}
            )
            assert "data" in registered.json()
        forgotten = await c.post("/graphql", json={"extensions": _apq(sha256_hex(first))})
        kept = await c.post("/graphql", json={"extensions": _apq(sha256_hex(second))})
    assert forgotten.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert kept.json()["data"] == {"organization": {"name": "Moonshot AI"}}


async def _redis_answers() -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", 6379), timeout=2)
    except (OSError, TimeoutError):
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_registrations_are_shared_through_redis(migrated_url: str) -> None:
    if not await _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    query = _unique_query()
    sha = sha256_hex(query)
    async with client(migrated_url, redis_url=REDIS_URL) as one:
        registered = await one.post("/graphql", json={"query": query, "extensions": _apq(sha)})
    assert "data" in registered.json()
    # Another worker (another process's memory) finds it.
    async with client(migrated_url, redis_url=REDIS_URL) as other:
        found = await other.get("/graphql", params=_get_params(sha))
    assert found.json()["data"] == {"organization": {"name": "Moonshot AI"}}
    # And a Redis that is down is a miss, not a failure.
    async with client(migrated_url, redis_url="redis://127.0.0.1:1/0") as down:
        missing = await down.post("/graphql", json={"extensions": _apq(sha)})
        again = await down.post("/graphql", json={"query": query, "extensions": _apq(sha)})
    assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" in again.json()


async def test_redis_holds_registrations_within_its_byte_budget() -> None:
    if not await _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from redis.asyncio import Redis

    from service.gateway.apq_redis import DAYS, SharedRegistrations

    redis = Redis.from_url(REDIS_URL)
    prefix = f"stakegraph-test:{uuid.uuid4().hex}:"
    first, second = _unique_query(), _unique_query()
    # Today's share of the budget holds one document, not two.
    shared = SharedRegistrations(redis, budget_bytes=DAYS * (len(first) + 10), prefix=prefix)
    try:
        assert await shared.put(sha256_hex(first), first)
        assert await shared.put(sha256_hex(first), first)  # again: counted once
        assert not await shared.put(sha256_hex(second), second)
        assert await shared.get(sha256_hex(first)) == first
        assert await shared.get(sha256_hex(second)) is None
        keys = [k.decode() async for k in redis.scan_iter(match=f"{prefix}*")]
        used = int(await redis.get(next(k for k in keys if k.endswith(":bytes"))) or 0)
        assert used == len(first)
        ttls = [await redis.ttl(k) for k in keys]
        assert len(keys) == 2
        assert min(ttls) > 0  # everything expires
    finally:
        for key in [k async for k in redis.scan_iter(match=f"{prefix}*")]:
            await redis.delete(key)
        await redis.aclose()


# -- trusted documents ------------------------------------------------------------------------


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _moonshot_round(manifest: dict[str, Any]) -> dict[str, Any]:
    operations: list[dict[str, Any]] = manifest["operations"]
    return next(op for op in operations if op["name"] == "MoonshotRound")


async def test_trusted_documents_run_by_id_and_nothing_else(
    migrated_url: str, tmp_path: Path
) -> None:
    manifest = build_manifest(OPERATIONS_DIR)
    path = _write(tmp_path / "manifest.json", manifest)
    entry = _moonshot_round(manifest)
    other = _unique_query()
    async with client(migrated_url, trusted_documents=str(path)) as c:
        by_document_id = await c.post(
            "/graphql", json={"documentId": f"sha256:{entry['id']}", "variables": {}}
        )
        by_hash = await c.get("/graphql", params=_get_params(entry["id"]))
        in_full = await c.post("/graphql", json={"query": entry["body"]})
        untrusted = await c.post("/graphql", json={"query": other})
        registering = await c.post(
            "/graphql", json={"query": other, "extensions": _apq(sha256_hex(other))}
        )
        unknown = await c.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
        both = await c.post("/graphql", json={"documentId": entry["id"], "query": "{ x }"})
    assert by_document_id.status_code == 200
    rounds = by_document_id.json()["data"]["organization"]["fundingRounds"]
    assert rounds["totalCount"] > 0
    assert by_document_id.headers["x-stakegraph-executor"] == "compiled"
    assert by_hash.json() == by_document_id.json()
    assert by_hash.headers["cache-control"] == "public, max-age=60"
    assert in_full.json() == by_document_id.json()
    assert untrusted.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
    assert registering.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert both.status_code == 400


async def test_relay_and_codegen_manifests_map_their_own_ids(
    migrated_url: str, tmp_path: Path
) -> None:
    query = 'query Moon { organization(slug: "moonshot-ai") { name } }'
    # Relay's persistConfig file and graphql-codegen's persisted-documents.json: id → text.
    path = _write(tmp_path / "persisted.json", {"a1b2c3": query})
    async with client(migrated_url, trusted_documents=str(path)) as c:
        relay = await c.post("/graphql", json={"doc_id": "a1b2c3", "variables": {}})
        codegen = await c.post("/graphql", json={"documentId": "a1b2c3"})
        apollo = await c.post("/graphql", json={"extensions": _apq(sha256_hex(query))})
        relay_get = await c.get("/graphql", params={"doc_id": "a1b2c3"})
    expected = {"data": {"organization": {"name": "Moonshot AI"}}}
    for response in (relay, codegen, apollo, relay_get):
        assert response.json()["data"] == expected["data"]


def test_manifests_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ManifestError, match="not JSON"):
        load_manifest(bad)
    with pytest.raises(ManifestError, match="cannot be read"):
        load_manifest(tmp_path / "absent.json")
    with pytest.raises(ManifestError, match="not a document's text"):
        parse_manifest({"id": 3}, "m.json")
    with pytest.raises(ManifestError, match="needs string id and body"):
        parse_manifest({"format": APOLLO_FORMAT, "version": 1, "operations": [{"id": "x"}]}, "m")
    with pytest.raises(ManifestError, match="version 1"):
        parse_manifest({"format": APOLLO_FORMAT, "version": 2, "operations": []}, "m")


def test_the_built_manifest_holds_every_named_operation_by_sha256() -> None:
    manifest = build_manifest(OPERATIONS_DIR)
    operations: list[dict[str, Any]] = manifest["operations"]  # type: ignore[assignment]
    names = {op["name"] for op in operations}
    assert len(names) == len(list(OPERATIONS_DIR.glob("*.graphql")))
    for op in operations:
        assert op["id"] == sha256_hex(op["body"])
        assert op["type"] == "query"
    assert len(parse_manifest(manifest, "built")) == len(operations)


def test_the_app_refuses_to_start_with_a_bad_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot be read"):
        create_app(Settings(trusted_documents=tmp_path / "absent.json"))
    path = _write(tmp_path / "m.json", {"good": "{ __typename }", "bad": "{ nothingHere }"})
    with pytest.raises(ManifestError, match=r"'bad' is not a valid document: .*nothingHere"):
        create_app(Settings(trusted_documents=path))


def test_the_committed_manifest_is_current() -> None:
    committed = json.loads((OPERATIONS_DIR.parent / "trusted-documents.json").read_text())
    assert committed == build_manifest(OPERATIONS_DIR), "run `make trusted-documents`"
