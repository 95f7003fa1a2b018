"""Writing angel investments: an investment's investor is an organization or a person, exactly
one of the two, in a new round and on its own; leads may be angels; writes are recorded."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.writes.conftest import Client

ROUND_CREATE = """
mutation($input: FundingRoundCreateInput!) {
  fundingRoundCreate(input: $input) {
    fundingRound {
      id
      investments(first: 5, orderBy: [{field: IS_LEAD, direction: DESC}]) { nodes {
        id version isLead investor { slug } investorPerson { slug }
      } }
    }
    userErrors { field code message }
  }
}
"""

INVESTMENT_CREATE = """
mutation($input: InvestmentCreateInput!) {
  investmentCreate(input: $input) {
    investment { id version isLead investor { slug } investorPerson { slug name }
      amount { amount currency } }
    userErrors { field code message }
  }
}
"""

INVESTMENT_UPDATE = """
mutation($input: InvestmentUpdateInput!) {
  investmentUpdate(input: $input) {
    investment { id version investor { slug } investorPerson { slug } }
    userErrors { field code message }
  }
}
"""

PERSON_ANGEL_INVESTMENTS = """
query($slug: String!) {
  person(slug: $slug) {
    angelInvestments(first: 10) { totalCount nodes { id organization { slug } } }
  }
}
"""


async def _id(conn: asyncpg.Connection, table: str, type_name: str, slug: str) -> str:
    pk = await conn.fetchval(f"SELECT id FROM {table} WHERE slug = $1", slug)
    assert pk is not None, slug
    return global_id(type_name, pk)


async def _person(conn: asyncpg.Connection, slug: str) -> str:
    """A person of its own, so that the tests do not depend on the article's people."""
    pk = await conn.fetchval(
        "INSERT INTO person (slug, name) VALUES ($1, $2)"
        " ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id",
        slug,
        slug.replace("-", " ").title(),
    )
    return global_id("Person", pk)


async def _round(
    client: Client, key: str, raiser: str, investments: list[Any], leads: list[str]
) -> Any:
    variables = {
        "input": {
            "organization": raiser,
            "roundType": "SEED",
            "status": "ANNOUNCED",
            "investments": investments,
            "leadInvestors": leads,
        }
    }
    return (await client.gql(ROUND_CREATE, variables, key=key))["data"]["fundingRoundCreate"]


async def test_a_round_with_an_organization_and_an_angel_lead(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    raiser = await _id(conn, "organization", "Organization", "zhipu-ai")
    fund = await _id(conn, "organization", "Organization", "alibaba")
    angel = await _person(conn, "ada-angel")
    created = await _round(
        client,
        keys["write"],
        raiser,
        [
            {"investor": fund},
            {"investorPerson": angel, "amount": {"amount": "250000", "currency": "USD"}},
        ],
        [angel],
    )
    assert created["userErrors"] == []
    nodes = created["fundingRound"]["investments"]["nodes"]
    assert [(n["isLead"], n["investor"], n["investorPerson"]) for n in nodes] == [
        (True, None, {"slug": "ada-angel"}),
        (False, {"slug": "alibaba"}, None),
    ]
    read = await client.gql(PERSON_ANGEL_INVESTMENTS, {"slug": "ada-angel"})
    assert read["data"]["person"]["angelInvestments"]["totalCount"] == 1
    # A lead must still be one of the round's investors, person or organization.
    stranger = await _person(conn, "sam-stranger")
    refused = await _round(client, keys["write"], raiser, [{"investorPerson": angel}], [stranger])
    assert refused["fundingRound"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["LEAD_NOT_AN_INVESTOR"]


async def test_an_angel_investment_on_its_own_is_recorded(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    raiser = await _id(conn, "organization", "Organization", "minimax")
    made = await _round(client, keys["write"], raiser, [], [])
    round_id = made["fundingRound"]["id"]
    angel = await _person(conn, "bea-backer")
    created = await client.gql(
        INVESTMENT_CREATE,
        {
            "input": {
                "round": round_id,
                "investorPerson": angel,
                "amount": {"amount": "50000", "currency": "USD"},
                "consideration": [{"kind": "CASH", "share": {"min": "1", "max": "1"}}],
            }
        },
        key=keys["write"],
    )
    payload = created["data"]["investmentCreate"]
    assert payload["userErrors"] == []
    investment = payload["investment"]
    assert investment["investor"] is None
    assert investment["investorPerson"] == {"slug": "bea-backer", "name": "Bea Backer"}
    row = await conn.fetchrow(
        "SELECT i.id, i.investor_id, i.investor_person_id, i.recorded_by FROM investment i"
        " JOIN person p ON p.id = i.investor_person_id WHERE p.slug = 'bea-backer'"
    )
    assert row is not None
    assert row["investor_id"] is None
    assert row["recorded_by"] is not None
    audit = await conn.fetchrow(
        "SELECT after FROM audit_log WHERE table_name = 'investment' AND row_id = $1"
        " AND action = 'INSERT'",
        row["id"],
    )
    assert audit is not None
    assert json.loads(audit["after"])["investor_person_id"] == row["investor_person_id"]
    # Its money counts in the kept values, without an investor to group by.
    kept = await conn.fetchrow(
        "SELECT investor_id, committed_usd FROM usd_investment WHERE investment_id = $1",
        row["id"],
    )
    assert kept is not None
    assert kept["investor_id"] is None
    assert kept["committed_usd"] == 50000

    # Turned into an organization's investment: the old version stays in its history.
    fund = await _id(conn, "organization", "Organization", "tencent")
    updated = await client.gql(
        INVESTMENT_UPDATE,
        {
            "input": {
                "id": investment["id"],
                "expectedVersion": investment["version"],
                "investor": fund,
                "investorPerson": None,
            }
        },
        key=keys["write"],
    )
    changed = updated["data"]["investmentUpdate"]
    assert changed["userErrors"] == []
    assert changed["investment"]["investor"] == {"slug": "tencent"}
    assert changed["investment"]["investorPerson"] is None
    past = await conn.fetchval(
        "SELECT investor_person_id FROM history.investment WHERE id = $1 AND version = 1",
        row["id"],
    )
    assert past == row["investor_person_id"]
    # Clearing the only investor breaks the rule, which says what to do.
    cleared = await client.gql(
        INVESTMENT_UPDATE,
        {
            "input": {
                "id": investment["id"],
                "expectedVersion": changed["investment"]["version"],
                "investor": None,
            }
        },
        key=keys["write"],
    )
    errors = cleared["data"]["investmentUpdate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("investor", "INVALID")]
    assert "exactly one investor" in errors[0]["message"]


async def test_exactly_one_investor_is_required(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    raiser = await _id(conn, "organization", "Organization", "moonshot-ai")
    made = await _round(client, keys["write"], raiser, [], [])
    round_id = made["fundingRound"]["id"]
    fund = await _id(conn, "organization", "Organization", "alibaba")
    angel = await _person(conn, "cy-both")
    count = await conn.fetchval("SELECT count(*) FROM investment")

    both = await client.gql(
        INVESTMENT_CREATE,
        {"input": {"round": round_id, "investor": fund, "investorPerson": angel}},
        key=keys["write"],
    )
    errors = both["data"]["investmentCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("investorPerson", "INVALID")]
    assert "Both `investor` and `investorPerson`" in errors[0]["message"]

    neither = await client.gql(INVESTMENT_CREATE, {"input": {"round": round_id}}, key=keys["write"])
    errors = neither["data"]["investmentCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("investor", "REQUIRED")]
    assert "No investor is given" in errors[0]["message"]

    nested = await _round(client, keys["write"], raiser, [{"investor": fund}, {}], [])
    assert nested["fundingRound"] is None
    assert [(e["field"], e["code"]) for e in nested["userErrors"]] == [
        ("investments.investor", "REQUIRED")
    ]
    # An ID of the wrong type is caught as for any reference.
    wrong = await client.gql(
        INVESTMENT_CREATE,
        {"input": {"round": round_id, "investorPerson": fund}},
        key=keys["write"],
    )
    assert [e["code"] for e in wrong["data"]["investmentCreate"]["userErrors"]] == ["INVALID"]
    assert await conn.fetchval("SELECT count(*) FROM investment") == count


async def test_one_investment_per_person_per_round(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    raiser = await _id(conn, "organization", "Organization", "01-ai")
    angel = await _person(conn, "dee-twice")
    made = await _round(client, keys["write"], raiser, [{"investorPerson": angel}], [])
    again = await client.gql(
        INVESTMENT_CREATE,
        {"input": {"round": made["fundingRound"]["id"], "investorPerson": angel}},
        key=keys["write"],
    )
    assert [e["code"] for e in again["data"]["investmentCreate"]["userErrors"]] == ["DUPLICATE"]
