"""Mutations: the acceptance flow, invariants, optimistic concurrency, retire, merge and undo."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.writes.conftest import Client

ROUND_CREATE = """
mutation($input: FundingRoundCreateInput!) {
  fundingRoundCreate(input: $input) {
    fundingRound {
      id version
      investments(first: 5) { nodes {
        id version isLead amount { amount currency }
        consideration { kind share { min max } creditType { slug } }
      } }
    }
    userErrors { field code message }
  }
}
"""

INVESTMENT_UPDATE = """
mutation($input: InvestmentUpdateInput!) {
  investmentUpdate(input: $input) {
    investment { id version amount { amount currency } }
    userErrors { field code message }
  }
}
"""

READ_INVESTMENT = """
query($id: ID!, $asOf: DateTime) {
  node: nodes(ids: [$id], asOf: $asOf) { ... on Investment { version amount { amount } } }
}
"""


async def _org_id(conn: asyncpg.Connection, slug: str) -> str:
    return global_id(
        "Organization", await conn.fetchval("SELECT id FROM organization WHERE slug = $1", slug)
    )


async def _credit_type(conn: asyncpg.Connection, kind: str) -> str:
    pk = await conn.fetchval(
        "SELECT id FROM credit_type WHERE consideration_kind = $1 ORDER BY id LIMIT 1", kind
    )
    return global_id("CreditType", pk)


def _half_and_half(investor: str, traffic: str, amount: str = "100000000") -> dict[str, Any]:
    half = {"min": "0.5", "max": "0.5"}
    return {
        "investor": investor,
        "amount": {"amount": amount, "currency": "USD"},
        "consideration": [
            {"kind": "CASH", "share": half},
            {"kind": "TRAFFIC_PROMOTION", "share": half, "creditType": traffic},
        ],
    }


async def test_acceptance_round_with_half_cash_half_traffic_then_corrected(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    raiser, investor = await _org_id(conn, "minimax"), await _org_id(conn, "xiaohongshu")
    traffic = await _credit_type(conn, "TRAFFIC_PROMOTION")
    variables = {
        "input": {
            "organization": raiser,
            "roundType": "STRATEGIC",
            "status": "ANNOUNCED",
            "announcedOn": {"date": "2025-03-01", "precision": "MONTH"},
            "investments": [_half_and_half(investor, traffic)],
            "leadInvestors": [investor],
        }
    }
    # Without a key: refused, and nothing written.
    rounds_before = await conn.fetchval("SELECT count(*) FROM funding_round")
    refused = await client.gql(ROUND_CREATE, variables)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in refused
    assert await conn.fetchval("SELECT count(*) FROM funding_round") == rounds_before

    created = (await client.gql(ROUND_CREATE, variables, key=keys["write"]))["data"]
    payload = created["fundingRoundCreate"]
    assert payload["userErrors"] == []
    investment = payload["fundingRound"]["investments"]["nodes"][0]
    assert investment["isLead"] is True
    assert investment["amount"] == {"amount": "100000000", "currency": "USD"}
    assert [c["kind"] for c in investment["consideration"]] == ["CASH", "TRAFFIC_PROMOTION"]
    assert investment["consideration"][1]["share"] == {"min": "0.5", "max": "0.5"}

    before_correction = await conn.fetchval("SELECT clock_timestamp()")
    corrected = await client.gql(
        INVESTMENT_UPDATE,
        {
            "input": {
                "id": investment["id"],
                "expectedVersion": investment["version"],
                "amount": {"amount": "120000000", "currency": "USD"},
            }
        },
        key=keys["write"],
    )
    update = corrected["data"]["investmentUpdate"]
    assert update["userErrors"] == []
    assert update["investment"]["amount"]["amount"] == "120000000"
    assert update["investment"]["version"] == investment["version"] + 1

    now = await client.gql(READ_INVESTMENT, {"id": investment["id"]})
    assert now["data"]["node"][0]["amount"]["amount"] == "120000000"
    then = await client.gql(
        READ_INVESTMENT, {"id": investment["id"], "asOf": before_correction.isoformat()}
    )
    assert then["data"]["node"][0]["amount"]["amount"] == "100000000"

    # Who changed it, from the audit log: the write key.
    key_id = await conn.fetchval("SELECT id FROM api_key WHERE name = 'test write'")
    changed_by = await conn.fetchval(
        "SELECT key_id FROM audit_log WHERE table_name = 'investment' AND action = 'UPDATE'"
        " AND (after ->> 'committed_amount')::numeric = 120000000"
    )
    assert changed_by == key_id


async def test_invariants_are_user_errors_and_write_nothing(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    raiser, investor = await _org_id(conn, "zhipu-ai"), await _org_id(conn, "meituan")
    other = await _org_id(conn, "amazon")
    traffic = await _credit_type(conn, "TRAFFIC_PROMOTION")
    counts = await conn.fetchval(
        "SELECT (SELECT count(*) FROM funding_round) + (SELECT count(*) FROM investment)"
        " + (SELECT count(*) FROM consideration_component)"
    )
    base = {"organization": raiser, "roundType": "SEED", "status": "RUMOURED"}
    too_little = _half_and_half(investor, traffic)
    too_little["consideration"][1]["share"] = {"min": "0.1", "max": "0.2"}
    too_much = _half_and_half(investor, traffic, amount="10")
    too_much["consideration"] = [{"kind": "CASH", "amount": {"amount": "11", "currency": "USD"}}]
    cases = [
        ({**base, "investments": [too_little]}, "SHARES_CANNOT_MAKE_A_WHOLE"),
        ({**base, "investments": [too_much]}, "COMPONENTS_EXCEED_AMOUNT"),
        (
            {**base, "investments": [_half_and_half(investor, traffic)], "leadInvestors": [other]},
            "LEAD_NOT_AN_INVESTOR",
        ),
        ({**base, "amount": {"amount": "-5", "currency": "USD"}}, "INVALID"),
        ({**base, "amount": {"amount": "5", "currency": "XXQ"}}, "INVALID"),
        ({**base, "organization": global_id("Organization", 999999)}, "NOT_FOUND"),
    ]
    for variables, code in cases:
        body = await client.gql(ROUND_CREATE, {"input": variables}, key=keys["write"])
        payload = body["data"]["fundingRoundCreate"]
        assert payload["fundingRound"] is None, (code, payload)
        assert code in [e["code"] for e in payload["userErrors"]], (code, payload)
    assert counts == await conn.fetchval(
        "SELECT (SELECT count(*) FROM funding_round) + (SELECT count(*) FROM investment)"
        " + (SELECT count(*) FROM consideration_component)"
    )


async def test_concurrent_updates_one_wins_per_version(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    pk = await conn.fetchval("SELECT id FROM organization WHERE slug = 'bytedance'")
    document = """
    mutation($input: OrganizationUpdateInput!) {
      organizationUpdate(input: $input) {
        organization { version description } userErrors { code }
      }
    }
    """
    node_id = global_id("Organization", pk)
    for round_number in range(3):
        version = await conn.fetchval("SELECT version FROM organization WHERE id = $1", pk)
        bodies = await asyncio.gather(
            *(
                client.gql(
                    document,
                    {
                        "input": {
                            "id": node_id,
                            "expectedVersion": version,
                            "description": f"writer {round_number}.{n}",
                        }
                    },
                    key=keys["write"],
                )
                for n in range(8)
            )
        )
        payloads = [b["data"]["organizationUpdate"] for b in bodies]
        winners = [p for p in payloads if not p["userErrors"]]
        losers = [p for p in payloads if p["userErrors"]]
        assert len(winners) == 1, payloads
        assert all(p["userErrors"][0]["code"] == "STALE_VERSION" for p in losers)
        assert winners[0]["organization"]["version"] == version + 1
        stored = await conn.fetchrow(
            "SELECT version, description FROM organization WHERE id = $1", pk
        )
        assert stored is not None
        assert stored["version"] == version + 1
        assert stored["description"] == winners[0]["organization"]["description"]
    # None lost: every winning write is a version in the history.
    kept = await conn.fetch(
        "SELECT description FROM history.organization WHERE id = $1 AND version > 1", pk
    )
    assert len(kept) == 2


async def test_retire_hides_the_record_but_keeps_its_history(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    create = await client.gql(
        """mutation($input: PersonCreateInput!) {
             personCreate(input: $input) { person { id version } userErrors { code } } }""",
        {"input": {"slug": "temporary-analyst", "name": "Temporary Analyst"}},
        key=keys["write"],
    )
    person = create["data"]["personCreate"]["person"]
    retire = """mutation($input: RetireInput!) {
      personRetire(input: $input) { retiredId version userErrors { code } } }"""
    stale = await client.gql(
        retire, {"input": {"id": person["id"], "expectedVersion": 7}}, key=keys["write"]
    )
    assert stale["data"]["personRetire"]["userErrors"] == [{"code": "STALE_VERSION"}]
    done = await client.gql(
        retire, {"input": {"id": person["id"], "expectedVersion": 1}}, key=keys["write"]
    )
    assert done["data"]["personRetire"] == {
        "retiredId": person["id"],
        "version": 2,
        "userErrors": [],
    }
    assert (await client.gql('{ person(slug: "temporary-analyst") { id } }'))["data"] == {
        "person": None
    }
    history = await conn.fetch(
        "SELECT version, retired_at IS NOT NULL AS retired FROM person WHERE slug = $1"
        " UNION ALL SELECT version, retired_at IS NOT NULL FROM history.person WHERE slug = $1"
        " ORDER BY 1",
        "temporary-analyst",
    )
    assert [(r["version"], r["retired"]) for r in history] == [(1, False), (2, True)]
    # Still referenced records cannot be retired.
    referenced = await client.gql(
        """mutation($input: RetireInput!) {
             organizationRetire(input: $input) { retiredId userErrors { code } } }""",
        {"input": {"id": await _org_id(conn, "alibaba"), "expectedVersion": 1}},
        key=keys["write"],
    )
    assert referenced["data"]["organizationRetire"]["userErrors"] == [{"code": "REFERENCED"}]


async def test_merge_moves_references_and_undo_restores_them(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    create = await client.gql(
        """mutation($input: OrganizationCreateInput!) {
             organizationCreate(input: $input) { organization { id } userErrors { code } } }""",
        {"input": {"slug": "moonshot-dup", "name": "Moonshot (dup)", "kinds": ["STARTUP"]}},
        key=keys["write"],
    )
    duplicate = create["data"]["organizationCreate"]["organization"]["id"]
    duplicate_pk = await conn.fetchval("SELECT id FROM organization WHERE slug = 'moonshot-dup'")
    survivor = await _org_id(conn, "moonshot-ai")
    product = await client.gql(
        """mutation($input: ProductCreateInput!) {
             productCreate(input: $input) { product { id } userErrors { code } } }""",
        {"input": {"slug": "dup-bot", "name": "Dup Bot", "organization": duplicate}},
        key=keys["write"],
    )
    assert product["data"]["productCreate"]["userErrors"] == []
    merged = await client.gql(
        """mutation($input: OrganizationMergeInput!) {
             organizationMerge(input: $input) {
               mergeId survivor { slug products(first: 20) { nodes { slug } } }
               userErrors { code } } }""",
        {"input": {"survivor": survivor, "merged": duplicate}},
        key=keys["write"],
    )
    payload = merged["data"]["organizationMerge"]
    assert payload["userErrors"] == []
    assert "dup-bot" in {p["slug"] for p in payload["survivor"]["products"]["nodes"]}
    assert (await client.gql('{ organization(slug: "moonshot-dup") { id } }'))["data"][
        "organization"
    ] is None

    undo = """mutation($input: OrganizationMergeUndoInput!) {
      organizationMergeUndo(input: $input) { mergedId userErrors { code } } }"""
    undone = await client.gql(undo, {"input": {"mergeId": payload["mergeId"]}}, key=keys["write"])
    assert undone["data"]["organizationMergeUndo"]["userErrors"] == []
    owner = await conn.fetchval("SELECT organization_id FROM product WHERE slug = 'dup-bot'")
    assert owner == duplicate_pk
    back = await client.gql(
        '{ organization(slug: "moonshot-dup") { products(first: 5) { nodes { slug } } } }'
    )
    assert back["data"]["organization"]["products"]["nodes"] == [{"slug": "dup-bot"}]
    again = await client.gql(undo, {"input": {"mergeId": payload["mergeId"]}}, key=keys["write"])
    assert again["data"]["organizationMergeUndo"]["userErrors"] == [{"code": "ALREADY_UNDONE"}]
    merges = await conn.fetchval(
        "SELECT count(*) FROM organization_merge WHERE undone_at IS NOT NULL"
    )
    assert merges == 1


async def test_a_failing_mutation_writes_nothing_and_later_ones_still_run(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    document = """
    mutation($good: SourceCreateInput!, $bad: SourceCreateInput!) {
      bad: sourceCreate(input: $bad) { source { id } userErrors { code } }
      good: sourceCreate(input: $good) { source { slug } userErrors { code } }
    }"""
    source = {"kind": "NEWS_ARTICLE", "publisher": "P", "title": "T", "language": "en"}
    body = await client.gql(
        document,
        {
            "good": {**source, "slug": "good-source"},
            "bad": {**source, "slug": "ft-alibaba-cloud-credits-ai-startups"},
        },
        key=keys["write"],
    )
    slugs = await conn.fetch("SELECT slug FROM source WHERE slug IN ('good-source')")
    assert body["data"]["good"]["source"] == {"slug": "good-source"}, body
    assert len(slugs) == 1
    assert body["data"]["bad"]["source"] is None
    assert body["data"]["bad"]["userErrors"][0]["code"] in ("DUPLICATE", "INVALID")


async def test_recorded_time_is_monotonic_per_row(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT recorded_at, recorded_to FROM history.organization WHERE recorded_to < recorded_at"
    )
    assert rows == []
    assert isinstance(await conn.fetchval("SELECT now()"), dt.datetime)


PRODUCT_CREATE = """
mutation($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { id version alternativeTo { market product { slug } } }
    userErrors { field code message }
  }
}
"""

PRODUCT_UPDATE = """
mutation($input: ProductUpdateInput!) {
  productUpdate(input: $input) {
    product { version alternativeTo { market product { slug } } }
    userErrors { field code message }
  }
}
"""


async def test_product_alternatives_are_written_and_replaced(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    chatgpt = global_id(
        "Product", await conn.fetchval("SELECT id FROM product WHERE slug = 'chatgpt'")
    )
    created = await client.gql(
        PRODUCT_CREATE,
        {
            "input": {
                "slug": "glm-chat-test",
                "name": "GLM chat",
                "organization": await _org_id(conn, "zhipu-ai"),
                "alternativeTo": [{"product": chatgpt, "market": "CN"}],
            }
        },
        key=keys["write"],
    )
    payload = created["data"]["productCreate"]
    assert payload["userErrors"] == []
    product = payload["product"]
    assert product["alternativeTo"] == [{"market": "CN", "product": {"slug": "chatgpt"}}]

    cleared = await client.gql(
        PRODUCT_UPDATE,
        {
            "input": {
                "id": product["id"],
                "expectedVersion": product["version"],
                "alternativeTo": [],
            }
        },
        key=keys["write"],
    )
    update = cleared["data"]["productUpdate"]
    assert update["userErrors"] == []
    assert update["product"]["alternativeTo"] == []
    # Retired, not deleted: the link stays in the table for history.
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM product_alternative a JOIN product p ON p.id = a.product_id"
            " WHERE p.slug = 'glm-chat-test' AND a.retired_at IS NOT NULL"
        )
        == 1
    )
