"""The foundation issue's acceptance query: Moonshot AI's round, paid partly in cloud credits."""

from __future__ import annotations

from decimal import Decimal

from tests.api.support import Gql, data_of

ACCEPTANCE = """
query MoonshotRound {
  organization(slug: "moonshot-ai") {
    name
    fundingRounds(first: 10) {
      nodes {
        announcedOn { date precision }
        amount { amount currency amountUsd }
        postMoneyValuation { amount currency amountUsd }
        investments(first: 10) {
          nodes {
            isLead
            investor { slug name }
            amount { amount currency amountUsd estimated }
            consideration {
              kind
              share { min max }
              estimated
              escrow
              recognizedAsRevenueByProvider
              provider { slug }
              creditType { slug }
              creditProgram { slug }
            }
            claims {
              factRef
              attribution
              attributedTo
              stance
              source { publisher }
            }
          }
        }
      }
    }
  }
}
"""


async def test_moonshot_round_as_the_article_reports_it(gql: Gql) -> None:
    moonshot = data_of(await gql(ACCEPTANCE))["organization"]
    assert moonshot["name"] == "Moonshot AI"
    [round_] = moonshot["fundingRounds"]["nodes"]
    # F3: a USD 1bn round in February (2024), valuing the start-up at USD 2.5bn.
    assert round_["announcedOn"] == {"date": "2024-02-01", "precision": "MONTH"}
    assert round_["amount"] == {
        "amount": "1000000000",
        "currency": "USD",
        "amountUsd": "1000000000",
    }
    assert round_["postMoneyValuation"] == {
        "amount": "2500000000",
        "currency": "USD",
        "amountUsd": "2500000000",
    }
    [investment] = round_["investments"]["nodes"]
    # F3/F4: Alibaba led, committing USD 800mn.
    assert investment["isLead"] is True
    assert investment["investor"] == {"slug": "alibaba", "name": "Alibaba"}
    assert investment["amount"] == {
        "amount": "800000000",
        "currency": "USD",
        "amountUsd": "800000000",
        "estimated": False,
    }
    # F4/F6: cash and "slightly under half" cloud credits, in escrow, booked as revenue.
    cash, credits = investment["consideration"]
    assert cash == {
        "kind": "CASH",
        "share": {"min": "0.5", "max": "0.6"},
        "estimated": True,
        "escrow": None,
        "recognizedAsRevenueByProvider": None,
        "provider": None,
        "creditType": None,
        "creditProgram": None,
    }
    assert credits == {
        "kind": "CLOUD_CREDITS",
        "share": {"min": "0.4", "max": "0.5"},
        "estimated": True,
        "escrow": True,
        "recognizedAsRevenueByProvider": True,
        "provider": {"slug": "alibaba-cloud"},
        "creditType": {"slug": "cloud-compute-credits"},
        "creditProgram": {"slug": "alibaba-cloud-compute-for-equity"},
    }
    assert Decimal(credits["share"]["max"]) <= Decimal("0.5")
    # The ranges can make a whole: Σmin ≤ 1 ≤ Σmax.
    shares = [c["share"] for c in investment["consideration"]]
    assert sum(Decimal(s["min"]) for s in shares) <= 1 <= sum(Decimal(s["max"]) for s in shares)
    # Every claim cites the Financial Times; F4's figures come from anonymous people.
    claims = investment["claims"]
    assert {c["source"]["publisher"] for c in claims} == {"Financial Times"}
    assert [(c["factRef"], c["attribution"], c["stance"]) for c in claims] == [
        ("F2", "PUBLICATION", "ASSERTS"),
        ("F3", "PUBLICATION", "ASSERTS"),
        ("F4", "ANONYMOUS", "ASSERTS"),
        ("F4", "COMPANY", "DECLINED_TO_COMMENT"),
        ("F8", "ANONYMOUS", "ASSERTS"),
    ]
    assert claims[2]["attributedTo"] == "two people familiar with the deal"
