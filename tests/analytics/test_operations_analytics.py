"""Every analytics operation in graphql/operations/ runs with asserted results.

Each test is named after its operation (``test_<OperationName>``), which is how
tests/test_operations.py checks that no operation goes untested.
"""

from __future__ import annotations

from tests.analytics.conftest import run_operation
from tests.conftest import Api


async def test_Search(api: Api) -> None:
    data = await run_operation(api, "Search")
    first, second = data["search"]
    assert first["node"] == {
        "__typename": "Organization",
        "slug": "moonshot-ai",
        "name": "Moonshot AI",
        "country": "CN",
    }
    assert first["matchedName"] == "月之暗面"
    assert second["kind"] == "FUNDING_ROUND"
    assert second["node"]["organization"] == {"slug": "moonshot-ai"}
    typo = await run_operation(api, "Search", {"query": "alibba", "first": 1})
    assert typo["search"][0]["node"]["slug"] == "alibaba"
    person = await run_operation(api, "Search", {"query": "吴泳铭", "kinds": ["PERSON"]})
    assert [h["node"]["slug"] for h in person["search"]] == ["eddie-wu"]


async def test_ConsiderationMix(api: Api) -> None:
    mix = (await run_operation(api, "ConsiderationMix"))["considerationMix"]
    kinds = {k["kind"]: k["usd"] for k in mix["byKind"]}
    assert kinds["CASH"] == {"min": "400000000", "max": "480000000", "estimated": True}
    assert kinds["CLOUD_CREDITS"] == {"min": "320000000", "max": "400000000", "estimated": True}
    (investment,) = mix["investments"]
    assert investment["amount"] == {"amount": "800000000", "currency": "USD"}
    assert {c["kind"] for c in investment["consideration"]} == {"CASH", "CLOUD_CREDITS"}
    market = (
        await run_operation(api, "ConsiderationMix", {"investor": None, "organization": None})
    )["considerationMix"]
    assert market["investmentCount"] == 5
    assert market["unknownSplitCount"] == 3
    assert market["unvaluedCount"] == 1  # Microsoft's cash in OpenAI: no amount given


async def test_RoundTripExposure(api: Api) -> None:
    trip = (await run_operation(api, "RoundTripExposure"))["roundTripExposure"]
    assert [f["slug"] for f in trip["family"]] == ["alibaba", "alibaba-cloud"]
    assert trip["escrowed"] == trip["bookedAsRevenue"] == {"min": "320000000", "max": "400000000"}
    (line,) = trip["lines"]
    assert line["organization"]["slug"] == "moonshot-ai"
    assert (line["escrow"], line["recognizedAsRevenue"]) == (True, True)
    assert line["shareOfRound"] == {"min": "0.32", "max": "0.4"}
    assert "F6" in {c["factRef"] for c in line["claims"]}
    assert "DECLINED_TO_COMMENT" in {c["stance"] for c in line["claims"]}


async def test_StartupDependencies(api: Api) -> None:
    deps = (await run_operation(api, "StartupDependencies"))["dependencies"]
    (platform,) = deps["platforms"]
    assert platform["platform"]["slug"] == "microsoft"
    assert platform["cloudProviderRelationship"] is True
    (line,) = deps["lines"]
    assert line["spendRestriction"] == "must be spent on Azure"
    moonshot = (await run_operation(api, "StartupDependencies", {"startup": "moonshot-ai"}))[
        "dependencies"
    ]
    assert [p["platform"]["slug"] for p in moonshot["platforms"]] == ["alibaba-cloud"]


async def test_CoInvestors(api: Api) -> None:
    co = (await run_operation(api, "CoInvestors"))["coInvestors"]
    assert co == {"totalCount": 0, "roundsJoined": 4, "nodes": []}


async def test_InvestmentPath(api: Api) -> None:
    path = (await run_operation(api, "InvestmentPath"))["investmentPath"]
    assert (path["found"], path["length"], path["truncated"]) == (True, 2, False)
    assert [s["to"]["slug"] for s in path["steps"]] == ["alibaba", "zhipu-ai"]
    assert path["steps"][0]["investment"]["isLead"] is True


async def test_InvestorPortfolio(api: Api) -> None:
    pf = (await run_operation(api, "InvestorPortfolio"))["portfolio"]
    assert pf["holdingCount"] == 4
    assert pf["committedUsd"] == "800000000"
    assert pf["undisclosedCount"] == 3
    assert {h["organization"]["country"] for h in pf["holdings"]} == {"CN"}
    assert pf["holdings"][0]["impliedValue"] == {
        "min": "800000000",
        "max": "800000000",
        "estimated": False,
    }
    sectors = {e["key"]: e["holdings"] for e in pf["exposures"] if e["dimension"] == "SECTOR"}
    assert sectors == {"AI chatbot": 1, None: 3}


async def test_FundingTimeSeries(api: Api) -> None:
    series = (await run_operation(api, "FundingTimeSeries"))["fundingTimeSeries"]
    assert series["undatedCount"] == 4
    (quarter,) = series["periods"]
    assert (quarter["start"], quarter["end"]) == ("2024-01-01", "2024-03-31")
    assert quarter["raisedUsd"] == {"min": "1000000000", "max": "1000000000", "estimated": False}
    assert quarter["nonCashShare"] == {"min": "0.4", "max": "0.5"}


async def test_InvestorLeagueTables(api: Api) -> None:
    tables = (await run_operation(api, "InvestorLeagueTables"))["investorLeagueTables"]
    (year,) = tables
    assert year["start"] == "2024-01-01"
    (entry,) = year["entries"]
    assert entry["investor"]["slug"] == "alibaba"
    assert (entry["deals"], entry["leads"], entry["committedUsd"]["min"]) == (1, 1, "800000000")


async def test_FundingRoundsAggregate(api: Api) -> None:
    data = (await run_operation(api, "FundingRoundsAggregate"))["fundingRoundsAggregate"]
    groups = data["nodes"]
    assert data["totalCount"] == len(groups) == 2
    quarter, undated = groups
    assert quarter["period"] == {"start": "2024-01-01", "end": "2024-03-31", "precision": "QUARTER"}
    assert quarter["count"] == 1
    assert quarter["amountUsd"] == {"min": "1000000000", "max": "1000000000", "estimated": False}
    assert (quarter["smallestUsd"], quarter["largestUsd"]) == ("1000000000", "1000000000")
    # The undated rounds are counted apart, and none of them has a disclosed amount.
    assert undated["period"] is None
    assert (undated["count"], undated["unvaluedCount"]) == (4, 4)
    assert undated["amountUsd"] == {"min": "0", "max": "0", "estimated": False}


async def test_InvestmentsAggregate(api: Api) -> None:
    data = (await run_operation(api, "InvestmentsAggregate"))["investmentsAggregate"]
    by_kind = {g["considerationKind"]: g for g in data["nodes"]}
    assert set(by_kind) == {"CASH", "CLOUD_CREDITS"}
    assert by_kind["CASH"]["amountUsd"] == {
        "min": "400000000",
        "max": "480000000",
        "estimated": True,
    }
    assert by_kind["CLOUD_CREDITS"]["amountUsd"] == {
        "min": "320000000",
        "max": "400000000",
        "estimated": True,
    }
    assert all(g["count"] == 1 and g["unvaluedCount"] == 0 for g in by_kind.values())
