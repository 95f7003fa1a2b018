"""The portfolio analytic over the deals of ``deals.py``: holdings still held apart from exited
ones (a holding's status follows its investments' exits), and each valued at the latest
valuation of any basis, saying which."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.compiler.conftest import Pair

PORTFOLIO = """
query($investor: String!) {
  portfolio(investor: $investor, first: 10) {
    holdingCount exitedHoldingCount investmentCount committedUsd unvaluedCount
    holdings { ...holding }
    exitedHoldings { ...holding }
    exposures { dimension key holdings }
  }
}
fragment holding on Holding {
  organization { slug } status exitedOn { date precision } stake { min max }
  heldStake { min max } impliedValue { min max } latestValuationUsd
  latestValuation { basis valuedOn { date precision } valueUsd estimated
                    valuation { description } round { id } }
}"""


async def _portfolio(pair: Pair, investor: str) -> dict[str, Any]:
    # Analytics are resolver fields: both apps answer alike, through the resolvers.
    answer = await pair.both(PORTFOLIO, {"investor": investor}, executor="resolvers")
    found: dict[str, Any] = answer.data["portfolio"]
    return found


def _by_slug(holdings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {h["organization"]["slug"]: h for h in holdings}


async def test_a_holding_sold_whole_is_listed_apart_and_not_valued(deals_pair: Pair) -> None:
    got = await _portfolio(deals_pair, "cobalt-capital")
    exited = _by_slug(got["exitedHoldings"])["acme-ai"]
    assert exited["status"] == "EXITED"
    assert exited["exitedOn"] == {"date": "2024-06-15", "precision": "DAY"}
    assert exited["impliedValue"] is None
    assert "acme-ai" not in _by_slug(got["holdings"])
    assert got["exitedHoldingCount"] == 1
    assert got["holdingCount"] == len(got["holdings"])
    # Its commitment still counts among what the investor committed; not in the exposure.
    assert Decimal(got["committedUsd"]) >= Decimal(45_000_000)
    assert (
        sum(x["holdings"] for x in got["exposures"] if x["dimension"] == "COUNTRY")
        == (got["holdingCount"])
    )


async def test_the_latest_valuation_of_any_basis_says_which(deals_pair: Pair) -> None:
    got = await _portfolio(deals_pair, "tencent")
    acme = _by_slug(got["holdings"])["acme-ai"]
    assert acme["status"] == "ACTIVE"
    # A reported estimate of 2024 Q1 is later than the market capitalisation at listing
    # (2023-11-02), itself later than the undated seed post-money.
    assert acme["latestValuation"] == {
        "basis": "REPORTED_ESTIMATE",
        "valuedOn": {"date": "2024-01-01", "precision": "QUARTER"},
        "valueUsd": "7500000000",
        "estimated": True,
        "valuation": acme["latestValuation"]["valuation"],
        "round": None,
    }
    assert acme["latestValuation"]["valuation"] is not None
    assert acme["latestValuationUsd"] == "7500000000"


async def test_a_holding_sold_in_part_stays_held(deals_pair: Pair) -> None:
    got = await _portfolio(deals_pair, "alibaba")
    zero_one = _by_slug(got["holdings"])["01-ai"]
    assert zero_one["status"] == "PARTIALLY_EXITED"
    assert zero_one["exitedOn"] == {"date": "2025-01-01", "precision": "MONTH"}
    assert got["exitedHoldings"] == []
    assert {h["status"] for h in got["holdings"]} == {"ACTIVE", "PARTIALLY_EXITED"}
    # Moonshot AI is still valued at F3's post-money valuation record, linked to its round.
    moonshot = _by_slug(got["holdings"])["moonshot-ai"]["latestValuation"]
    assert (moonshot["basis"], moonshot["valueUsd"]) == ("POST_MONEY", "2500000000")
    assert moonshot["round"] is not None
