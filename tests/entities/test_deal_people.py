"""People on deals: F8's Eddie Wu overseeing Alibaba's four investments, with its claims,
through both executors alike; writes with their user errors."""

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


async def test_f8_eddie_wu_oversees_alibabas_four_investments(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        """{ person(slug: "eddie-wu") { investments(first: 10) { totalCount nodes {
              id version role
              investment { investor { slug } organization { slug } people { person { slug } } }
              claims { factRef attribution attributedTo } } } } }"""
    )
    links = _nodes(answer.data, "person", "investments")
    assert len(links) == 4
    assert {link["role"] for link in links} == {"OVERSEES"}
    assert {link["investment"]["investor"]["slug"] for link in links} == {"alibaba"}
    assert {link["investment"]["organization"]["slug"] for link in links} == {
        "moonshot-ai",
        "zhipu-ai",
        "minimax",
        "01-ai",
    }
    for link in links:
        assert link["investment"]["people"] == [{"person": {"slug": "eddie-wu"}}]
        assert [(c["factRef"], c["attribution"]) for c in link["claims"]] == [("F8", "ANONYMOUS")]


async def test_investments_list_their_people(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        "{ investments(first: 100) "
        "{ nodes { investor { slug } people { role person { name } } } } }"
    )
    with_people = [n for n in _nodes(answer.data, "investments") if n["people"]]
    assert len(with_people) == 4
    assert all(n["investor"]["slug"] == "alibaba" for n in with_people)


async def test_deal_person_writes(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    investment = await conn.fetchval("SELECT id FROM investment WHERE key = 'alibaba-in-zhipu-ai'")
    person = await conn.fetchval("SELECT id FROM person WHERE slug = 'eddie-wu'")
    create = """mutation($input: InvestmentPersonCreateInput!) {
        investmentPersonCreate(input: $input) {
          investmentPerson { role person { slug } } userErrors { code } } }"""
    given = {
        "investment": global_id("Investment", investment),
        "person": global_id("Person", person),
        "role": "BOARD_MEMBER",
    }
    made = await client.gql(create, {"input": given}, key=keys["write"])
    assert made["data"]["investmentPersonCreate"] == {
        "investmentPerson": {"role": "BOARD_MEMBER", "person": {"slug": "eddie-wu"}},
        "userErrors": [],
    }
    again = await client.gql(create, {"input": given}, key=keys["write"])
    assert again["data"]["investmentPersonCreate"]["userErrors"] == [{"code": "DUPLICATE"}]
