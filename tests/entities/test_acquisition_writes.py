"""Acquisitions written through the API (with user errors, versions and history) and through
the bulk format (export → import → export byte for byte)."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.bulk.conftest import export_bytes, run_import
from tests.writes.conftest import Client

CREATE = """
mutation($input: AcquisitionCreateInput!) {
  acquisitionCreate(input: $input) {
    acquisition { id version status price { amount currency } acquired { slug } }
    userErrors { field code message }
  }
}"""

COMPONENT = """
mutation($input: AcquisitionComponentCreateInput!) {
  acquisitionComponentCreate(input: $input) {
    acquisitionComponent { id kind share { min max } }
    userErrors { field code }
  }
}"""

UPDATE = """
mutation($input: AcquisitionUpdateInput!) {
  acquisitionUpdate(input: $input) {
    acquisition {
      version status completedOn { date precision }
      consideration { kind }
      history { version node { status } }
    }
    userErrors { field code message }
  }
}"""


async def _org(conn: asyncpg.Connection, slug: str) -> str:
    pk = await conn.fetchval("SELECT id FROM organization WHERE slug = $1", slug)
    return global_id("Organization", pk)


async def test_create_add_payment_complete_and_retire(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    acquirer, acquired = await _org(conn, "tencent"), await _org(conn, "minimax")
    created = await client.gql(
        CREATE,
        {
            "input": {
                "acquirer": acquirer,
                "acquired": acquired,
                "status": "ANNOUNCED",
                "announcedOn": {"date": "2025-02-01", "precision": "MONTH"},
                "price": {"amount": "2500000000", "currency": "USD", "estimated": True},
                "stake": {"min": "0.2", "max": "0.25"},
            }
        },
        key=keys["write"],
    )
    payload = created["data"]["acquisitionCreate"]
    assert payload["userErrors"] == []
    acquisition = payload["acquisition"]
    assert acquisition["price"] == {"amount": "2500000000", "currency": "USD"}
    assert acquisition["acquired"]["slug"] == "minimax"

    part = await client.gql(
        COMPONENT,
        {
            "input": {
                "acquisition": acquisition["id"],
                "position": 0,
                "kind": "STOCK",
                "share": {"min": "1", "max": "1"},
            }
        },
        key=keys["write"],
    )
    assert part["data"]["acquisitionComponentCreate"]["userErrors"] == []

    done = await client.gql(
        UPDATE,
        {
            "input": {
                "id": acquisition["id"],
                "expectedVersion": acquisition["version"],
                "status": "COMPLETED",
                "completedOn": {"date": "2025-05-20", "precision": "DAY"},
            }
        },
        key=keys["write"],
    )
    assert "errors" not in done, done
    update = done["data"]["acquisitionUpdate"]
    assert update["userErrors"] == []
    assert update["acquisition"]["version"] == 2
    assert update["acquisition"]["completedOn"] == {"date": "2025-05-20", "precision": "DAY"}
    assert update["acquisition"]["consideration"] == [{"kind": "STOCK"}]
    history = update["acquisition"]["history"]
    assert [v["node"]["status"] for v in history] == ["COMPLETED", "ANNOUNCED"]
    audited = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE table_name = 'acquisition' AND action = 'UPDATE'"
    )
    assert audited == 1

    retired = await client.gql(
        "mutation($input: RetireInput!) { acquisitionRetire(input: $input) "
        "{ retiredId userErrors { code } } }",
        {"input": {"id": acquisition["id"], "expectedVersion": 2}},
        key=keys["write"],
    )
    assert retired["data"]["acquisitionRetire"]["userErrors"] == []
    # Its payment components are retired with it.
    live = await conn.fetchval(
        "SELECT count(*) FROM acquisition_component c JOIN acquisition a ON a.id = c.acquisition_id"
        " WHERE a.key IS NOT NULL AND c.retired_at IS NULL AND a.retired_at IS NOT NULL"
    )
    assert live == 0


async def test_bad_acquisitions_are_user_errors_and_write_nothing(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    tencent, minimax = await _org(conn, "tencent"), await _org(conn, "minimax")
    base: dict[str, Any] = {"acquirer": tencent, "acquired": minimax, "status": "ANNOUNCED"}
    before = await conn.fetchval("SELECT count(*) FROM acquisition")
    cases = [
        # Only a completed acquisition has a completion date.
        ({**base, "completedOn": {"date": "2025-01-01", "precision": "DAY"}}, "INVALID"),
        ({**base, "acquired": tencent}, "INVALID"),
        ({**base, "stake": {"min": "0.6", "max": "0.5"}}, "INVALID"),
        ({**base, "price": {"amount": "-1", "currency": "USD"}}, "INVALID"),
        ({**base, "acquired": global_id("Organization", 999999)}, "NOT_FOUND"),
    ]
    for variables, code in cases:
        body = await client.gql(CREATE, {"input": variables}, key=keys["write"])
        payload = body["data"]["acquisitionCreate"]
        assert payload["acquisition"] is None, (variables, payload)
        assert code in [e["code"] for e in payload["userErrors"]], (variables, payload)
    assert await conn.fetchval("SELECT count(*) FROM acquisition") == before


async def test_deals_export_import_export_byte_for_byte(
    deals_url: str, empty_database_factory: Any
) -> None:
    import asyncio

    from service.db import migrate

    exported = await export_bytes(deals_url)
    text = exported.decode("utf-8")
    assert '"type":"acquisition"' in text
    assert '"kind":"STOCK"' in text
    assert '{"key":"tencent-acquires-acme-ai","type":"acquisition"}' in text
    target = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, target)
    report = await run_import(target, exported)
    assert report.ok, report.describe()
    assert await export_bytes(target) == exported
