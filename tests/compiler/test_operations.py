"""Every named operation answers identically through the compiler and through the resolvers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compiler.conftest import Pair

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
DOCUMENTS = {path.stem: path.read_text() for path in OPERATIONS.glob("*.graphql")}

# Operations that select a root field the compiler does not know (see test_fallback).
RESOLVED_BY_STRAWBERRY = {
    "Search",
    # The analytics root fields run their own SQL (service/analytics), not compiled reads.
    "CoInvestors",
    "ConsiderationMix",
    "FundingTimeSeries",
    "InvestmentPath",
    "InvestorLeagueTables",
    "InvestorPortfolio",
    "RoundTripExposure",
    "StartupDependencies",
    "FundingRoundsAggregate",
    "InvestmentsAggregate",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_operation(pair: Pair, name: str) -> None:
    executor = "resolvers" if name in RESOLVED_BY_STRAWBERRY else "compiled"
    answer = await pair.both(DOCUMENTS[name], None, name, executor=executor)
    assert "errors" not in json.loads(answer.text)


async def test_moonshot_round_is_compiled_and_identical(article_pair: Pair) -> None:
    answer = await article_pair.both(DOCUMENTS["MoonshotRound"], {"slug": "moonshot-ai"})
    rounds = answer.data["organization"]["fundingRounds"]
    assert rounds["totalCount"] == 1
    (investments,) = [r["investments"]["nodes"] for r in rounds["nodes"]]
    assert {i["investor"]["slug"] for i in investments} >= {"alibaba"}


def test_the_operations_are_all_here() -> None:
    names = {p.stem for p in OPERATIONS.glob("*.graphql")}
    assert names >= RESOLVED_BY_STRAWBERRY
    assert len(names) >= 7
