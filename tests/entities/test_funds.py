"""Funds and their limited partners: who stands behind an investor, and the investments made
through a fund, through both executors alike; writes with their user errors."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.compiler.conftest import Pair
from tests.writes.conftest import Client


def _nodes(data: Any, *path: str) -> list[dict[str, Any]]:
    for step in path:
        data = data[step]
    found: list[dict[str, Any]] = data["nodes"]
    return found


FUND = """
query Fund($slug: String!) {
  fund(slug: $slug) {
    id version slug name vintageYear strategy
    targetSize { amount currency amountUsd } finalSize { amount currency }
    manager { slug }
    limitedPartners(first: 10) {
      totalCount
      nodes {
        limitedPartner { slug } amount { amount currency } share { min max }
        committedOn { date precision } fund { slug }
      }
    }
    investments(first: 10) {
      nodes { amount { amount } investor { slug } organization { slug } fund { slug } }
    }
  }
}"""


async def test_a_fund_its_limited_partners_and_its_investments(deals_pair: Pair) -> None:
    answer = await deals_pair.both(FUND, {"slug": "cobalt-fund-i"})
    fund = answer.data["fund"]
    assert fund["manager"] == {"slug": "cobalt-capital"}
    assert fund["finalSize"] == {"amount": "650000000", "currency": "USD"}
    partners = _nodes(fund, "limitedPartners")
    assert [p["limitedPartner"]["slug"] for p in partners] == ["tencent", "alibaba"]
    assert partners[1]["share"] == {"min": "0.1", "max": "0.15"}
    assert _nodes(fund, "investments") == [
        {
            "amount": {"amount": "45000000"},
            "investor": {"slug": "cobalt-capital"},
            "organization": {"slug": "acme-ai"},
            "fund": {"slug": "cobalt-fund-i"},
        }
    ]


async def test_who_is_behind_an_investor(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        """{ organization(slug: "cobalt-capital") {
              fundsManaged(first: 5) { nodes { slug limitedPartners(first: 10) {
                nodes { limitedPartner { slug } } } } }
              investments(first: 5) { nodes { fund { name } } } }
            tencent: organization(slug: "tencent") {
              fundCommitments(first: 5) { nodes { fund { manager { slug } } } }
              investments(first: 50) { nodes { fund { slug } } } } }"""
    )
    cobalt = answer.data["organization"]
    [managed] = _nodes(cobalt, "fundsManaged")
    backers = [n["limitedPartner"]["slug"] for n in _nodes(managed, "limitedPartners")]
    assert backers == ["tencent", "alibaba"]
    assert _nodes(cobalt, "investments") == [{"fund": {"name": "Cobalt Fund I"}}]
    tencent = answer.data["tencent"]
    assert _nodes(tencent, "fundCommitments") == [{"fund": {"manager": {"slug": "cobalt-capital"}}}]
    # Tencent's own investments were made directly, through no fund.
    assert all(n["fund"] is None for n in _nodes(tencent, "investments"))


async def test_fund_lists_filters_and_orderings(deals_pair: Pair) -> None:
    for query in (
        '{ funds(first: 5, filter: {manager: {slugs: ["cobalt-capital"]}}) { nodes { slug } } }',
        "{ funds(first: 5, filter: {vintageYear: {in: [2021, 2022]}}) { nodes { slug } } }",
        "{ funds(first: 5, orderBy: [{field: VINTAGE_YEAR, direction: DESC}]) "
        "{ nodes { slug } totalCount } }",
    ):
        answer = await deals_pair.both(query)
        assert _nodes(answer.data, "funds") == [{"slug": "cobalt-fund-i"}], query
    none = await deals_pair.both(
        '{ funds(first: 5, filter: {not: {slug: {eq: "cobalt-fund-i"}}}) { nodes { slug } } }'
    )
    assert _nodes(none.data, "funds") == []


async def test_fund_writes_and_their_user_errors(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    tencent = await conn.fetchval("SELECT id FROM organization WHERE slug = 'tencent'")
    investment = await conn.fetchval("SELECT id FROM investment WHERE key = 'alibaba-in-minimax'")
    made = await client.gql(
        """mutation($input: FundCreateInput!) { fundCreate(input: $input) {
             fund { id slug manager { slug } } userErrors { field code } } }""",
        {
            "input": {
                "slug": "tencent-ai-fund",
                "name": "Tencent AI Fund",
                "manager": global_id("Organization", tencent),
                "vintageYear": 2024,
            }
        },
        key=keys["write"],
    )
    payload = made["data"]["fundCreate"]
    assert payload["userErrors"] == []
    fund_id = payload["fund"]["id"]
    linked = await client.gql(
        """mutation($input: FundInvestmentCreateInput!) { fundInvestmentCreate(input: $input) {
             fundInvestment { fund { slug } investment { fund { slug } } }
             userErrors { field code } } }""",
        {"input": {"investment": global_id("Investment", investment), "fund": fund_id}},
        key=keys["write"],
    )
    link = linked["data"]["fundInvestmentCreate"]
    assert link["userErrors"] == []
    assert link["fundInvestment"]["investment"]["fund"] == {"slug": "tencent-ai-fund"}
    # One fund per investment; vintage years are years.
    again = await client.gql(
        """mutation($input: FundInvestmentCreateInput!) { fundInvestmentCreate(input: $input) {
             userErrors { code } } }""",
        {"input": {"investment": global_id("Investment", investment), "fund": fund_id}},
        key=keys["write"],
    )
    assert [e["code"] for e in again["data"]["fundInvestmentCreate"]["userErrors"]] == ["DUPLICATE"]
    bad = await client.gql(
        """mutation($input: FundCreateInput!) { fundCreate(input: $input) {
             fund { id } userErrors { code } } }""",
        {
            "input": {
                "slug": "bad-vintage",
                "name": "Bad",
                "manager": global_id("Organization", tencent),
                "vintageYear": 21,
            }
        },
        key=keys["write"],
    )
    assert bad["data"]["fundCreate"] == {"fund": None, "userErrors": [{"code": "INVALID"}]}
