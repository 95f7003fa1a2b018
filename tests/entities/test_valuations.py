"""Valuations over time: the article's Moonshot AI valuation (F3), an organization's history of
valuations and its latest one, through both executors alike; writes with their user errors."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.compiler.conftest import Pair
from tests.writes.conftest import Client

VALUATION_FIELDS = """
  id version basis description valuedOn { date precision }
  value { amount currency estimated amountUsd }
  organization { slug } round { announcedOn { date } } listing { ticker }
  claims { factRef }
"""


def _nodes(data: Any, *path: str) -> list[dict[str, Any]]:
    for step in path:
        data = data[step]
    found: list[dict[str, Any]] = data["nodes"]
    return found


async def test_f3_moonshot_valued_at_two_and_a_half_billion(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        f'{{ organization(slug: "moonshot-ai") {{ latestValuation {{ {VALUATION_FIELDS} }} }} }}'
    )
    latest = answer.data["organization"]["latestValuation"]
    assert latest["basis"] == "POST_MONEY"
    assert latest["value"]["amount"] == "2500000000"
    assert latest["valuedOn"] == {"date": "2024-02-01", "precision": "MONTH"}
    assert latest["round"] == {"announcedOn": {"date": "2024-02-01"}}
    assert {c["factRef"] for c in latest["claims"]} == {"F3"}


async def test_history_latest_first_and_the_latest_of_any_basis(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        f"""{{ organization(slug: "acme-ai") {{
              latestValuation {{ basis valuedOn {{ date precision }} }}
              valuations(first: 10) {{ nodes {{ {VALUATION_FIELDS} }} totalCount }} }} }}"""
    )
    acme = answer.data["organization"]
    assert acme["latestValuation"]["basis"] == "REPORTED_ESTIMATE"
    history = _nodes(acme, "valuations")
    assert [v["basis"] for v in history] == [
        "REPORTED_ESTIMATE",
        "MARKET_CAPITALISATION",
        "POST_MONEY",
    ]
    assert history[1]["listing"] == {"ticker": "ACME"}
    assert history[2]["valuedOn"] is None


async def test_organizations_without_valuations_and_pages_of_latest(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        "{ organizations(first: 50) { nodes { slug latestValuation { basis value { amount } } } } }"
    )
    by_slug = {n["slug"]: n["latestValuation"] for n in _nodes(answer.data, "organizations")}
    assert by_slug["tencent"] is None
    assert by_slug["bolt-labs"] == {"basis": "SECONDARY", "value": {"amount": "30000000000"}}


async def test_root_list_filters_and_orderings(deals_pair: Pair) -> None:
    cases = {
        "{basis: {eq: SECONDARY}}": ["bolt"],
        '{valued: {gte: "2024-01-01"}}': ["bolt", "moonshot", "acme-est"],
        '{organization: {slugs: ["acme-ai"]}, not: {basis: {in: [POST_MONEY]}}}': [
            "acme-est",
            "acme-listing",
        ],
    }
    names = {
        "7500000000": "acme-est",
        "9000000000": "acme-listing",
        "30000000000": "bolt",
        "2500000000": "moonshot",
        "40000000": "acme-seed",
    }
    for condition, expected in cases.items():
        found = await deals_pair.both(
            f"{{ valuations(first: 10, filter: {condition}) "
            "{ nodes { value { amount } organization { slug } } } }"
        )
        got = [names[n["value"]["amount"]] for n in _nodes(found.data, "valuations")]
        assert got == expected, condition
    by_value = await deals_pair.both(
        "{ valuations(last: 2, orderBy: [{field: VALUE, direction: DESC}]) "
        "{ nodes { value { amount } } } }"
    )
    # In its own currency: the two smallest amounts, in descending order.
    assert [n["value"]["amount"] for n in _nodes(by_value.data, "valuations")] == [
        "2500000000",
        "40000000",
    ]


CREATE = """
mutation($input: ValuationCreateInput!) {
  valuationCreate(input: $input) {
    valuation { id basis value { amount } organization { latestValuation { id } } }
    userErrors { field code message }
  }
}"""


async def test_valuation_writes_move_the_latest(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    pk = await conn.fetchval("SELECT id FROM organization WHERE slug = 'minimax'")
    round_pk = await conn.fetchval("SELECT id FROM funding_round ORDER BY id LIMIT 1")
    org = global_id("Organization", pk)
    made = await client.gql(
        CREATE,
        {
            "input": {
                "organization": org,
                "basis": "REPORTED_ESTIMATE",
                "valuedOn": {"date": "2025-01-01", "precision": "YEAR"},
                "value": {"amount": "4000000000", "currency": "USD", "estimated": True},
            }
        },
        key=keys["write"],
    )
    payload = made["data"]["valuationCreate"]
    assert payload["userErrors"] == []
    valuation = payload["valuation"]
    assert valuation["organization"]["latestValuation"] == {"id": valuation["id"]}
    refused = await client.gql(
        CREATE,
        {
            "input": {
                "organization": org,
                "basis": "SECONDARY",
                "value": {"amount": "1", "currency": "USD"},
                "round": global_id("FundingRound", round_pk),
            }
        },
        key=keys["write"],
    )
    errors = refused["data"]["valuationCreate"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID"]
    assert "round_is_post_money" in errors[0]["message"]
