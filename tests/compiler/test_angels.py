"""Angel investments (a person as the investor) read alike through the compiler and the
resolvers, on the generated market, where about 5% of seed rounds have angels."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.db.urls import asyncpg_dsn
from service.ids import encode_id
from tests.compiler.conftest import Pair

INVESTMENT = """
  id isLead amount { amount currency amountUsd } investor { slug } investorPerson { slug name }
  organization { slug } round { roundType } consideration { kind share { min max } }
"""


@pytest.fixture(scope="module")
async def angels(generated_url: str) -> list[dict[str, Any]]:
    """The angel investments of the generated market: (person id and slug, round id)."""
    conn = await asyncpg.connect(asyncpg_dsn(generated_url))
    try:
        rows = await conn.fetch(
            "SELECT i.id, i.round_id, p.id AS person_id, p.slug FROM investment i"
            " JOIN person p ON p.id = i.investor_person_id ORDER BY i.id"
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def test_the_generated_market_has_angels(angels: list[dict[str, Any]]) -> None:
    assert len(angels) >= 10
    assert len({a["slug"] for a in angels}) >= 5


async def test_angel_investments_by_investor_person(
    generated_pair: Pair, angels: list[dict[str, Any]]
) -> None:
    slugs = sorted({a["slug"] for a in angels})[:6]
    query = f"""query($filter: InvestmentFilter) {{
      investments(first: 50, filter: $filter) {{ totalCount nodes {{ {INVESTMENT} }} }}
    }}"""
    answer = await generated_pair.both(query, {"filter": {"investorPerson": {"slugs": slugs}}})
    found = answer.data["investments"]
    assert found["totalCount"] == sum(1 for a in angels if a["slug"] in slugs)
    for node in found["nodes"]:
        assert node["investor"] is None
        assert node["investorPerson"]["slug"] in slugs
        assert node["round"]["roundType"] == "SEED"
    by_id = {"ids": [encode_id("Person", angels[0]["person_id"])]}
    answer = await generated_pair.both(query, {"filter": {"investorPerson": by_id}})
    assert answer.data["investments"]["totalCount"] >= 1
    # Both kinds of investor in one filter: an angel's and an organization's.
    either = {"or": [{"investorPerson": {"slugs": slugs}}, {"investor": {"slugs": ["alibaba"]}}]}
    await generated_pair.both(query, {"filter": either})
    await generated_pair.both(query, {"filter": {"not": {"investorPerson": {"slugs": slugs}}}})


async def test_a_persons_angel_investments(
    generated_pair: Pair, angels: list[dict[str, Any]]
) -> None:
    slug = angels[0]["slug"]
    query = f"""query($slug: String!) {{
      person(slug: $slug) {{
        slug
        all: angelInvestments(first: 10) {{ totalCount nodes {{ {INVESTMENT} }} }}
        byAmount: angelInvestments(first: 1, orderBy: [{{field: AMOUNT, direction: DESC}}]) {{
          totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }}
        cash: angelInvestments(first: 5, filter: {{considerationKind: {{eq: CASH}}}}) {{
          totalCount nodes {{ id }} }}
        leads: angelInvestments(first: 5, filter: {{isLead: true}}) {{ totalCount }}
        investments(first: 3) {{ totalCount }}
      }}
    }}"""
    answer = await generated_pair.both(query, {"slug": slug})
    person = answer.data["person"]
    assert person["all"]["totalCount"] == sum(1 for a in angels if a["slug"] == slug)
    assert {n["investorPerson"]["slug"] for n in person["all"]["nodes"]} == {slug}
    assert person["cash"]["totalCount"] == person["all"]["totalCount"]
    assert person["leads"]["totalCount"] == 0


async def test_rounds_with_angels_list_both_kinds_of_investor(
    generated_pair: Pair, angels: list[dict[str, Any]]
) -> None:
    ids = sorted({encode_id("FundingRound", a["round_id"]) for a in angels})[:5]
    query = f"""query($ids: [ID!]!) {{
      nodes(ids: $ids) {{
        ... on FundingRound {{
          id amount {{ amountUsd }}
          investments(first: 20) {{ totalCount nodes {{ {INVESTMENT} }} }}
        }}
      }}
    }}"""
    answer = await generated_pair.both(query, {"ids": ids})
    for round_ in answer.data["nodes"]:
        nodes = round_["investments"]["nodes"]
        assert any(n["investorPerson"] is not None for n in nodes)
        for node in nodes:
            assert (node["investor"] is None) != (node["investorPerson"] is None)
