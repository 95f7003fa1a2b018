"""History, audit and as-of reads, whoever the writer: these tests write with plain SQL, as an
import or a loader would, and read through the API."""

from __future__ import annotations

import datetime as dt
import json

import asyncpg
import pytest

from service.db import tables as t
from tests.writes.conftest import Client

ORG = """
query Org($slug: String!, $asOf: DateTime) {
  organization(slug: $slug, asOf: $asOf) {
    description version
    history { version retired recordedAt supersededAt recordedByKeyId node { description } }
  }
}
"""


async def _now(conn: asyncpg.Connection) -> dt.datetime:
    value: dt.datetime = await conn.fetchval("SELECT clock_timestamp()")
    return value


async def test_an_update_keeps_the_earlier_version_and_is_audited(
    conn: asyncpg.Connection,
) -> None:
    async with conn.transaction():
        await conn.execute("SET LOCAL stakegraph.key_id = '42'")
        row = await conn.fetchrow(
            "UPDATE organization SET description = 'audited' WHERE slug = 'zhipu-ai'"
            " RETURNING id, version, recorded_by"
        )
    assert row is not None
    assert row["version"] == 2
    assert row["recorded_by"] == 42
    past = await conn.fetchrow(
        "SELECT version, recorded_to, ended_by, description FROM history.organization"
        " WHERE id = $1",
        row["id"],
    )
    assert past is not None
    assert past["version"] == 1
    assert past["ended_by"] == 42
    assert past["description"] != "audited"
    audit = await conn.fetchrow(
        "SELECT key_id, action, before, after FROM audit_log"
        " WHERE table_name = 'organization' AND row_id = $1 AND action = 'UPDATE'",
        row["id"],
    )
    assert audit is not None
    assert audit["key_id"] == 42
    assert json.loads(audit["before"])["description"] == past["description"]
    assert json.loads(audit["after"])["description"] == "audited"


async def test_an_update_that_changes_nothing_keeps_its_version(conn: asyncpg.Connection) -> None:
    before = await conn.fetchrow("SELECT id, version FROM organization WHERE slug = 'minimax'")
    assert before is not None
    logged = await conn.fetchval("SELECT count(*) FROM audit_log")
    await conn.execute(
        "UPDATE organization SET name = name, updated_at = now() WHERE slug = 'minimax'"
    )
    assert await conn.fetchval("SELECT version FROM organization WHERE slug = 'minimax'") == 1
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == logged
    assert (
        await conn.fetchval("SELECT count(*) FROM history.organization WHERE id = $1", before["id"])
        == 0
    )


async def test_as_of_reads_what_was_recorded_then(client: Client, conn: asyncpg.Connection) -> None:
    old = await conn.fetchval("SELECT description FROM organization WHERE slug = 'megvii'")
    before_change = await _now(conn)
    await conn.execute("UPDATE organization SET description = 'corrected' WHERE slug = 'megvii'")

    now = await client.gql(ORG, {"slug": "megvii"})
    assert now["data"]["organization"]["description"] == "corrected"
    history = now["data"]["organization"]["history"]
    assert [v["version"] for v in history] == [2, 1]
    assert [v["node"]["description"] for v in history] == ["corrected", old]
    assert history[0]["supersededAt"] is None
    assert history[1]["supersededAt"] is not None

    then = await client.gql(ORG, {"slug": "megvii", "asOf": before_change.isoformat()})
    assert then["data"]["organization"]["description"] == old
    assert then["data"]["organization"]["version"] == 1
    # History as of then lists only what was recorded by then.
    assert [v["version"] for v in then["data"]["organization"]["history"]] == [1]

    before_everything = "2000-01-01T00:00:00Z"
    gone = await client.gql(ORG, {"slug": "megvii", "asOf": before_everything})
    assert gone["data"]["organization"] is None


async def test_as_of_applies_to_nested_fields(client: Client, conn: asyncpg.Connection) -> None:
    query = """
    query($asOf: DateTime) {
      organization(slug: "moonshot-ai", asOf: $asOf) {
        fundingRounds(first: 5) { nodes { investments(first: 5) { nodes { amount { amount } } } } }
      }
    }
    """
    before_change = await _now(conn)
    await conn.execute(
        "UPDATE investment SET committed_amount = 1 WHERE committed_amount = 800000000"
    )
    amounts = {
        i["amount"]["amount"]
        for r in (await client.gql(query))["data"]["organization"]["fundingRounds"]["nodes"]
        for i in r["investments"]["nodes"]
        if i["amount"]
    }
    assert "1" in amounts
    assert "800000000" not in amounts
    then = await client.gql(query, {"asOf": before_change.isoformat()})
    amounts_then = {
        i["amount"]["amount"]
        for r in then["data"]["organization"]["fundingRounds"]["nodes"]
        for i in r["investments"]["nodes"]
        if i["amount"]
    }
    assert "800000000" in amounts_then
    assert "1" not in amounts_then


async def test_retired_rows_leave_normal_reads_but_not_history(
    client: Client, conn: asyncpg.Connection
) -> None:
    before_retiring = await _now(conn)
    await conn.execute("UPDATE organization SET retired_at = now() WHERE slug = 'forrester'")
    assert (await client.gql(ORG, {"slug": "forrester"}))["data"]["organization"] is None
    slugs = await client.gql("{ organizations(first: 100) { nodes { slug } } }")
    assert "forrester" not in {n["slug"] for n in slugs["data"]["organizations"]["nodes"]}

    then = await client.gql(ORG, {"slug": "forrester", "asOf": before_retiring.isoformat()})
    assert then["data"]["organization"] is not None
    # The table still holds it, and its history says it was retired.
    versions = await conn.fetch(
        "SELECT version, retired_at FROM organization WHERE slug = 'forrester'"
        " UNION ALL SELECT version, retired_at FROM history.organization h"
        " WHERE h.slug = 'forrester' ORDER BY 1"
    )
    assert [(v["version"], v["retired_at"] is not None) for v in versions] == [
        (1, False),
        (2, True),
    ]


async def test_a_deleted_row_stays_readable_as_of_before(
    client: Client, conn: asyncpg.Connection
) -> None:
    query = '{ organization(slug: "meituan", asOf: $AT) { names { value } } }'
    org_id = await conn.fetchval("SELECT id FROM organization WHERE slug = 'meituan'")
    names = await conn.fetchval(
        "SELECT count(*) FROM organization_name WHERE organization_id = $1", org_id
    )
    assert names > 0
    before_delete = await _now(conn)
    await conn.execute("DELETE FROM organization_name WHERE organization_id = $1", org_id)
    then = await client.gql(query.replace("$AT", json.dumps(before_delete.isoformat())))
    assert len(then["data"]["organization"]["names"]) == names
    now = await client.gql(query.replace(", asOf: $AT", ""))
    assert now["data"]["organization"]["names"] == []
    deleted = await conn.fetchval(
        "SELECT count(*) FROM audit_log"
        " WHERE table_name = 'organization_name' AND action = 'DELETE'"
    )
    assert deleted == names


async def test_every_root_field_must_read_the_same_snapshot(client: Client) -> None:
    different = await client.gql(
        '{ a: organization(slug: "alibaba", asOf: "2030-01-01T00:00:00Z") { slug }'
        '  b: organization(slug: "alibaba", asOf: "2031-01-01T00:00:00Z") { slug } }'
    )
    assert different["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "same snapshot" in different["errors"][0]["message"]
    mixed = await client.gql(
        '{ a: organization(slug: "alibaba", asOf: "2030-01-01T00:00:00Z") { slug }'
        '  b: organization(slug: "alibaba") { slug } }'
    )
    assert mixed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    same = await client.gql(
        '{ a: organization(slug: "alibaba", asOf: "2030-01-01T00:00:00Z") { slug }'
        '  b: organizations(first: 1, asOf: "2030-01-01T00:00:00+00:00") { nodes { slug } } }'
    )
    assert "errors" not in same, same


async def test_audit_can_be_turned_off_for_one_bulk_session(conn: asyncpg.Connection) -> None:
    """``stakegraph.audit = off`` skips the audit log only; versions are still kept."""
    logged = await conn.fetchval("SELECT count(*) FROM audit_log")
    async with conn.transaction():
        await conn.execute("SET LOCAL stakegraph.audit = 'off'")
        await conn.execute("UPDATE credit_type SET description = 'bulk' WHERE slug IS NOT NULL")
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == logged
    assert await conn.fetchval("SELECT count(*) FROM history.credit_type") > 0
    await conn.execute("UPDATE credit_type SET description = 'audited again'")
    assert await conn.fetchval("SELECT count(*) FROM audit_log") > logged


async def test_audit_log_and_history_are_append_only(conn: asyncpg.Connection) -> None:
    for statement in (
        "DELETE FROM audit_log",
        "UPDATE audit_log SET key_id = 1",
        "TRUNCATE audit_log",
        "DELETE FROM history.organization",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)


async def test_views_list_every_column_of_their_table(conn: asyncpg.Connection) -> None:
    """A migration that adds a column to a versioned table must call sg_versioning_sync()."""
    for table in t.VERSIONED_TABLES:
        for schema in ("live", "asof", "history"):
            columns = await conn.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass"
                " AND attnum > 0 AND NOT attisdropped",
                f"{schema}.{table.name}",
            )
            missing = {c.name for c in table.columns} - {c["attname"] for c in columns}
            assert not missing, (schema, table.name, missing)


@pytest.mark.parametrize("schema", ["live", "asof"])
async def test_views_keep_using_the_indexes(conn: asyncpg.Connection, schema: str) -> None:
    async with conn.transaction():
        await conn.execute(f"SET LOCAL search_path = {schema}, public")
        await conn.execute("SET LOCAL stakegraph.as_of = '2100-01-01'")
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN SELECT * FROM investment WHERE round_id = ANY('{1,2}'::bigint[])"
            )
        )
    assert "Seq Scan" not in plan, plan
    assert "Index" in plan, plan
