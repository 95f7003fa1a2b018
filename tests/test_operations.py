"""Every named operation in graphql/operations/ runs against the article dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.analytics import test_operations_analytics
from tests.conftest import Api

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"


async def run(api: Api, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = await api.query((OPERATIONS / f"{name}.graphql").read_text(), variables, name)
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


def test_every_operation_is_covered() -> None:
    names = {path.stem for path in OPERATIONS.glob("*.graphql")}
    # The analytics operations are tested in their own module.
    tests = [*globals(), *vars(test_operations_analytics)]
    covered = {name.removeprefix("test_") for name in tests if name.startswith("test_")}
    assert names <= covered, f"operations without a test: {sorted(names - covered)}"


async def test_MoonshotRound(api: Api) -> None:
    org = (await run(api, "MoonshotRound"))["organization"]
    assert org["name"] == "Moonshot AI"
    assert {"月之暗面", "Moonshot AI"} <= {n["value"] for n in org["names"]}
    rounds = org["fundingRounds"]
    assert rounds["totalCount"] == 1
    (round_,) = rounds["nodes"]
    assert round_["announcedOn"] == {"date": "2024-02-01", "precision": "MONTH"}
    assert round_["amount"] == {
        "amount": "1000000000",
        "currency": "USD",
        "amountUsd": "1000000000",
    }
    assert round_["postMoneyValuation"] == {"amount": "2500000000", "currency": "USD"}
    (lead,) = [i for i in round_["investments"]["nodes"] if i["isLead"]]
    assert lead["investor"]["slug"] == "alibaba"
    assert lead["amount"]["amount"] == "800000000"
    by_kind = {c["kind"]: c for c in lead["consideration"]}
    assert set(by_kind) == {"CASH", "CLOUD_CREDITS"}
    credits = by_kind["CLOUD_CREDITS"]
    assert credits["share"] == {"min": "0.4", "max": "0.5"}
    assert credits["estimated"] is True
    assert credits["escrow"] is True
    assert credits["recognizedAsRevenueByProvider"] is True
    assert credits["provider"] == {"slug": "alibaba-cloud"}
    assert credits["amount"] is None  # only the share is known
    assert by_kind["CASH"]["share"] == {"min": "0.5", "max": "0.6"}
    attributions = {c["attribution"] for c in lead["claims"]}
    assert "ANONYMOUS" in attributions
    assert {c["source"]["publisher"] for c in lead["claims"]} == {"Financial Times"}
    declined = [c for c in lead["claims"] if c["stance"] == "DECLINED_TO_COMMENT"]
    assert [c["attribution"] for c in declined] == ["COMPANY"]


async def test_AlibabaPortfolio(api: Api) -> None:
    investments = (await run(api, "AlibabaPortfolio"))["organization"]["investments"]
    startups = {i["organization"]["slug"] for i in investments["nodes"]}
    assert startups == {"moonshot-ai", "zhipu-ai", "minimax", "01-ai"}
    assert investments["totalCount"] == 4
    assert investments["pageInfo"]["hasNextPage"] is False
    undisclosed = [i for i in investments["nodes"] if i["organization"]["slug"] != "moonshot-ai"]
    assert all(
        i["amount"] is None and i["round"]["roundType"] == "UNDISCLOSED" for i in undisclosed
    )
    assert investments["nodes"][0]["isLead"] is True  # leads first


async def test_AlibabaPortfolio_pages(api: Api) -> None:
    first = (await run(api, "AlibabaPortfolio", {"first": 3}))["organization"]["investments"]
    assert len(first["nodes"]) == 3
    assert first["pageInfo"]["hasNextPage"] is True


async def test_NonCashInvestments(api: Api) -> None:
    investments = (await run(api, "NonCashInvestments"))["investments"]
    assert investments["totalCount"] == len(investments["nodes"]) >= 1
    for investment in investments["nodes"]:
        kinds = {c["kind"] for c in investment["consideration"]}
        assert kinds - {"CASH"}, investment
    pairs = {(i["investor"]["slug"], i["organization"]["slug"]) for i in investments["nodes"]}
    assert ("alibaba", "moonshot-ai") in pairs


async def test_XiaohongshuCreditProgram(api: Api) -> None:
    org = (await run(api, "XiaohongshuCreditProgram"))["organization"]
    assert "小红书" in {n["value"] for n in org["names"]}
    (program,) = org["creditPrograms"]["nodes"]
    assert program["inExchangeFor"] == "EQUITY"
    assert program["creditType"]["consideration"] == "TRAFFIC_PROMOTION"
    stances = {(c["attribution"], c["stance"]) for c in program["claims"]}
    assert ("ANONYMOUS", "ASSERTS") in stances
    assert ("COMPANY", "DID_NOT_RESPOND") in stances
    assert {c["factRef"] for c in program["claims"]} == {"F7"}


async def test_FactsWithSources(api: Api) -> None:
    (source,) = (await run(api, "FactsWithSources"))["sources"]["nodes"]
    assert source["publisher"] == "Financial Times"
    assert source["publishedOn"] is None  # the article gives no date
    claims = source["claims"]
    assert claims["totalCount"] == len(claims["nodes"])
    facts = {c["factRef"] for c in claims["nodes"]}
    assert {f"F{i}" for i in range(1, 21)} <= facts
    assert all(c["subject"] is not None for c in claims["nodes"])
    analyst = [c for c in claims["nodes"] if c["attribution"] == "ANALYST"]
    assert {c["person"]["name"] for c in analyst if c["person"]} == {"Charlie Dai"}
    subjects = {c["subject"]["__typename"] for c in claims["nodes"]}
    assert {"Organization", "Investment", "Event", "ComputeAsset", "CreditProgram"} <= subjects


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("阿里巴巴", "alibaba"),
        ("علي بابا", "alibaba"),
        ("ALIBABA", "alibaba"),
        ("月之暗面", "moonshot-ai"),
    ],
)
async def test_SearchByName(api: Api, text: str, slug: str) -> None:
    nodes = (await run(api, "SearchByName", {"text": text}))["organizations"]["nodes"]
    assert slug in [n["slug"] for n in nodes]


async def test_ComputeAndEvents(api: Api) -> None:
    org = (await run(api, "ComputeAndEvents"))["organization"]
    assert org["parent"]["slug"] == "alibaba"
    chips = {a["chipModel"] for a in org["computeAssets"]["nodes"]}
    assert chips == {"A800", "H800"}
    assert all(a["quantity"] is None for a in org["computeAssets"]["nodes"])
    events = {e["kind"]: e for e in org["events"]["nodes"]}
    assert events["IPO_CANCELLED"]["occurredOn"] == {"date": "2023-11-01", "precision": "MONTH"}


async def test_RefetchNode(api: Api) -> None:
    node = (await run(api, "RefetchNode"))["node"]
    assert node["organization"] == {"name": "Moonshot AI"}
    assert node["amount"] == {"amount": "1000000000", "currency": "USD"}
    # The header the example's comment suggests reads recorded time: before the data, nothing.
    response = await api.client.post(
        "/graphql",
        json={"query": (OPERATIONS / "RefetchNode.graphql").read_text()},
        headers={"Stakegraph-As-Of": "2000-01-01T00:00:00Z"},
    )
    assert response.json()["data"] == {"node": None}


async def test_InvestorExits(api: Api) -> None:
    # The article records no exit: F15's divestments name no stake, so they stay an event.
    exits = (await run(api, "InvestorExits"))["exits"]
    assert exits == {"totalCount": 0, "nodes": []}


async def test_FundLimitedPartners(api: Api) -> None:
    # The article names no fund; the operation's default slug is the entity tests' fund.
    assert (await run(api, "FundLimitedPartners"))["fund"] is None


async def test_StartupsRaisedOver(api: Api) -> None:
    # The article's rounds: Moonshot AI raised USD 1 billion (its only round, February 2024).
    nodes = (await run(api, "StartupsRaisedOver"))["startups"]["nodes"]
    assert [n["slug"] for n in nodes] == ["moonshot-ai"]
    (moonshot,) = nodes
    assert moonshot["totalRaisedUsd"] == {
        "min": "1000000000",
        "max": "1000000000",
        "estimated": False,
    }
    assert moonshot["lastRoundDate"] == {"date": "2024-02-01", "precision": "MONTH"}
    assert (moonshot["roundsCount"], moonshot["unvaluedRoundsCount"]) == (1, 0)
    assert moonshot["lastRound"]["amount"]["amountUsd"] == "1000000000"
    assert moonshot["investorsCount"] >= 1
    above = await run(api, "StartupsRaisedOver", {"minUsd": "1000000001"})
    assert above["startups"]["nodes"] == []
