"""Exits: which stakes of an investor ended, how and when; an investment's status follows from
its exits. Both executors alike; writes with their user errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.compiler.conftest import Pair
from tests.writes.conftest import Client

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


def _nodes(data: Any, *path: str) -> list[dict[str, Any]]:
    for step in path:
        data = data[step]
    found: list[dict[str, Any]] = data["nodes"]
    return found


async def test_the_stakes_an_investor_ended_how_and_when(deals_pair: Pair) -> None:
    document = (OPERATIONS / "InvestorExits.graphql").read_text()
    answer = await deals_pair.both(document, {"investor": "cobalt-capital"}, "InvestorExits")
    [ended] = _nodes(answer.data, "exits")
    assert ended["kind"] == "ACQUISITION"
    assert ended["exitedOn"] == {"date": "2024-06-15", "precision": "DAY"}
    assert ended["proceeds"]["amount"] == "90000000"
    assert ended["counterparty"] == {"slug": "tencent"}
    assert ended["acquisition"]["acquirer"] == {"slug": "tencent"}
    assert ended["investment"]["organization"]["slug"] == "acme-ai"
    assert ended["investment"]["status"] == "EXITED"
    alibaba = await deals_pair.both(document, None, "InvestorExits")
    [half] = _nodes(alibaba.data, "exits")
    assert half["kind"] == "SECONDARY"
    assert half["share"] == {"min": "0.5", "max": "0.5"}
    assert half["investment"]["status"] == "PARTIALLY_EXITED"


async def test_status_and_exits_on_every_investment(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        "{ investments(first: 100) { nodes { status exits { kind } investor { slug } } } }"
    )
    statuses = {n["status"] for n in _nodes(answer.data, "investments")}
    assert statuses == {"ACTIVE", "PARTIALLY_EXITED", "EXITED"}
    for node in _nodes(answer.data, "investments"):
        assert (node["status"] == "ACTIVE") == (node["exits"] == [])


async def test_exit_lists_filters_and_orderings(deals_pair: Pair) -> None:
    cases = {
        "{kind: {eq: SECONDARY}}": ["01-ai"],
        '{organization: {slugs: ["acme-ai"]}}': ["acme-ai"],
        '{counterparty: {slugs: ["tencent", "cobalt-capital"]}}': ["01-ai", "acme-ai"],
        '{exited: {lte: "2024-12-31"}}': ["acme-ai"],
        '{or: [{investor: {slugs: ["alibaba"]}}, {kind: {eq: WRITE_OFF}}]}': ["01-ai"],
    }
    for condition, slugs in cases.items():
        answer = await deals_pair.both(
            f"{{ exits(first: 10, filter: {condition}) "
            "{ nodes { investment { organization { slug } } } } }"
        )
        got = [n["investment"]["organization"]["slug"] for n in _nodes(answer.data, "exits")]
        assert got == slugs, condition
    by_proceeds = await deals_pair.both(
        "{ exits(first: 10, orderBy: [{field: PROCEEDS, direction: DESC}]) "
        "{ nodes { proceeds { amount } } totalCount } }"
    )
    assert [n["proceeds"] for n in _nodes(by_proceeds.data, "exits")] == [
        {"amount": "90000000"},
        None,
    ]


async def test_exit_writes_end_an_investment(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    investment = await conn.fetchval("SELECT id FROM investment WHERE key = 'alibaba-in-zhipu-ai'")
    create = """mutation($input: ExitCreateInput!) { exitCreate(input: $input) {
        exit { kind investment { status } } userErrors { field code message } } }"""
    target = global_id("Investment", investment)
    refused = await client.gql(
        create,
        {"input": {"investment": target, "kind": "SECONDARY", "listing": global_id("Listing", 1)}},
        key=keys["write"],
    )
    errors = refused["data"]["exitCreate"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID"], errors
    made = await client.gql(
        create,
        {
            "input": {
                "investment": target,
                "kind": "DIVESTMENT",
                "exitedOn": {"date": "2022-01-01", "precision": "YEAR"},
            }
        },
        key=keys["write"],
    )
    payload = made["data"]["exitCreate"]
    assert payload["userErrors"] == []
    assert payload["exit"]["investment"]["status"] == "EXITED"
