"""Each analytic against the article's facts and against an independent Python computation
(tests/analytics/model.py) over the same rows, on the article dataset and on generated data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from service.ids import decode_id
from tests.analytics.conftest import query_data, query_error
from tests.analytics.model import Market, cents, text
from tests.conftest import Api

USD = "min max estimated"
MIX = f"""
query($investor: String, $organization: String, $provider: String, $period: DateRangeFilter) {{
  considerationMix(investor: $investor, organization: $organization, provider: $provider,
                   period: $period, first: 5) {{
    investmentCount unknownSplitCount unvaluedCount committedUsd committedUnknownCount
    byKind {{ kind investmentCount componentCount unvaluedCount usd {{ {USD} }} }}
    investments {{ id investor {{ slug }} amount {{ amount }} }}
  }}
}}"""


@pytest.fixture(scope="session")
async def article(article_conn: asyncpg.Connection) -> Market:
    return await Market.load(article_conn)


@pytest.fixture(scope="session")
async def generated(generated_conn: asyncpg.Connection) -> Market:
    return await Market.load(generated_conn)


def _busiest(market: Market, count: int, *, as_investor: bool) -> list[str]:
    tally: dict[int, int] = defaultdict(int)
    for inv in market.investments.values():
        key = (
            inv["investor_id"] if as_investor else market.rounds[inv["round_id"]]["organization_id"]
        )
        if key is not None:  # an angel invests as a person: no organization to rank
            tally[key] += 1
    ranked = sorted(tally, key=lambda k: (-tally[k], k))
    return [market.orgs[k]["slug"] for k in ranked[:count]]


def _cloud_providers(market: Market) -> list[str]:
    providers = {
        c["provider_id"]
        for comps in market.components.values()
        for c in comps
        if c["provider_id"] is not None
    }
    return sorted(market.orgs[p]["slug"] for p in providers)


# --- consideration mix -------------------------------------------------------------------


async def test_alibaba_moonshot_mix_adds_up_to_800_million_both_ways(api: Api) -> None:
    mix = (await query_data(api, MIX, {"investor": "alibaba", "organization": "moonshot-ai"}))[
        "considerationMix"
    ]
    kinds = {k["kind"]: k["usd"] for k in mix["byKind"]}
    cash, credits = kinds["CASH"], kinds["CLOUD_CREDITS"]
    assert cash == {"min": "400000000", "max": "480000000", "estimated": True}
    assert credits == {"min": "320000000", "max": "400000000", "estimated": True}
    total = Decimal(800_000_000)
    assert Decimal(cash["min"]) + Decimal(credits["max"]) == total
    assert Decimal(cash["max"]) + Decimal(credits["min"]) == total
    assert mix["investmentCount"] == 1
    assert mix["investments"][0]["investor"]["slug"] == "alibaba"


async def test_alibaba_mix_counts_the_unknown_splits(api: Api) -> None:
    mix = (await query_data(api, MIX, {"investor": "alibaba"}))["considerationMix"]
    # Zhipu AI, MiniMax and 01.AI: stakes with no amount and no known consideration.
    assert mix["investmentCount"] == 4
    assert mix["unknownSplitCount"] == 3
    assert mix["committedUnknownCount"] == 3
    assert mix["committedUsd"] == "800000000"


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"investor": "alibaba"},
        {"investor": "microsoft"},
        {"organization": "openai"},
        {"provider": "alibaba"},
        {"provider": "alibaba-cloud"},
        {"period": {"gte": "2024-01-01", "lte": "2024-12-31"}},
    ],
)
async def test_mix_matches_python_on_the_article(
    api: Api, article: Market, scope: dict[str, Any]
) -> None:
    got = (await query_data(api, MIX, scope))["considerationMix"]
    period = scope.pop("period", {})
    expected = article.mix(
        **scope,
        start=dt.date.fromisoformat(period["gte"]) if period else None,
        end=dt.date.fromisoformat(period["lte"]) if period else None,
    )
    got.pop("investments")
    assert got == expected


async def test_mix_matches_python_on_generated_data(generated_api: Api, generated: Market) -> None:
    scopes: list[dict[str, Any]] = [{}]
    scopes += [{"investor": s} for s in _busiest(generated, 3, as_investor=True)]
    scopes += [{"organization": s} for s in _busiest(generated, 3, as_investor=False)]
    scopes += [{"provider": s} for s in _cloud_providers(generated)[:3]]
    assert len(scopes) == 10
    for scope in scopes:
        got = (await query_data(generated_api, MIX, scope))["considerationMix"]
        investments = got.pop("investments")
        assert got == generated.mix(**scope), scope
        # The listed investments are the largest by committed USD (then by id).
        ids = [decode_id(i["id"])[1] for i in investments]
        usd = {pk: generated.committed_usd(generated.investments[pk]) for pk in ids}
        assert len(ids) == min(5, got["investmentCount"])
        assert ids == sorted(ids, key=lambda pk: (usd[pk] is None, -(usd[pk] or 0), pk))


async def test_generated_ranges_never_claim_a_false_point(generated: Market) -> None:
    # Where a component is known only as a share range, its bounds differ: the generator draws
    # such components, and the whole-market mix must carry them as ranges.
    mix = generated.mix()
    assert any(k["usd"]["min"] != k["usd"]["max"] for k in mix["byKind"])


# --- round-trip exposure -------------------------------------------------------------------

TRIP = f"""
query($provider: String!, $first: Int) {{
  roundTripExposure(provider: $provider, first: $first) {{
    family {{ slug }} lineCount unvaluedCount escrowedCount bookedAsRevenueCount
    usd {{ {USD} }} escrowed {{ {USD} }} bookedAsRevenue {{ {USD} }}
    lines {{ kind escrow recognizedAsRevenue usd {{ {USD} }} shareOfRound {{ min max }}
             component {{ id }} investment {{ id }} organization {{ slug }}
             investor {{ slug }} provider {{ slug }} claims {{ id factRef statement }} }}
  }}
}}"""


async def test_alibaba_round_trip_is_the_escrowed_moonshot_credits(api: Api) -> None:
    for provider in ("alibaba", "alibaba-cloud"):
        trip = (await query_data(api, TRIP, {"provider": provider}))["roundTripExposure"]
        assert [f["slug"] for f in trip["family"]] == ["alibaba", "alibaba-cloud"]
        (line,) = trip["lines"]
        assert line["organization"]["slug"] == "moonshot-ai"
        assert line["investor"]["slug"] == "alibaba"
        assert line["provider"]["slug"] == "alibaba-cloud"
        assert line["kind"] == "CLOUD_CREDITS"
        assert line["escrow"] is True
        assert line["recognizedAsRevenue"] is True
        credits = {"min": "320000000", "max": "400000000", "estimated": True}
        assert line["usd"] == trip["escrowed"] == trip["bookedAsRevenue"] == credits
        # USD 320-400 million of a USD 1 billion round.
        assert line["shareOfRound"] == {"min": "0.32", "max": "0.4"}
        facts = {c["factRef"] for c in line["claims"]}
        assert {"F3", "F4", "F6"} <= facts


async def test_microsoft_has_no_round_trip(api: Api) -> None:
    # Microsoft's cash must be spent on Azure, but it is cash, not credits Microsoft provides.
    trip = (await query_data(api, TRIP, {"provider": "microsoft"}))["roundTripExposure"]
    assert trip["lineCount"] == 0
    assert trip["lines"] == []
    assert trip["usd"] == {"min": "0", "max": "0", "estimated": False}


async def test_round_trip_matches_python_on_generated_data(
    generated_api: Api, generated: Market
) -> None:
    providers = _cloud_providers(generated)
    assert providers
    checked_lines = 0
    for provider in providers[:6]:
        got = (await query_data(generated_api, TRIP, {"provider": provider, "first": 100}))[
            "roundTripExposure"
        ]
        expected = generated.round_trip(provider)
        assert sorted(f["slug"] for f in got["family"]) == expected["family"]
        counts = expected["counts"]
        assert (got["lineCount"], got["unvaluedCount"]) == (counts["lines"], counts["unvalued"])
        assert (got["escrowedCount"], got["bookedAsRevenueCount"]) == (
            counts["escrow"],
            counts["revenue"],
        )
        assert got["usd"] == expected["usd"], provider
        assert got["escrowed"] == expected["escrowed"]
        assert got["bookedAsRevenue"] == expected["bookedAsRevenue"]
        by_component = {str(line[1]["id"]): line for line in expected["lines"]}
        for line in got["lines"]:
            _, pk = decode_id(line["component"]["id"])
            bounds, component, _, _, claims = by_component[str(pk)]
            assert line["escrow"] == component["escrow"]
            if bounds is None:
                assert line["usd"] is None
            else:
                low, high = text(bounds[0]), text(bounds[1])
                assert (line["usd"]["min"], line["usd"]["max"]) == (low, high)
            assert sorted(int(decode_id(c["id"])[1]) for c in line["claims"]) == claims
            checked_lines += 1
    assert checked_lines > 0


# --- dependencies ----------------------------------------------------------------------------

DEPS = f"""
query($startup: String!) {{
  dependencies(startup: $startup, first: 100) {{
    lineCount
    platforms {{ platform {{ slug }} lineCount backerCount unvaluedCount restrictedCount
                 cloudProviderRelationship usd {{ {USD} }} }}
    lines {{ kind backer {{ slug }} platform {{ slug }} spendRestriction restricted escrow
             usd {{ {USD} }} announcedOn {{ date precision }} component {{ id }} }}
  }}
}}"""


async def test_openai_must_spend_on_azure(api: Api) -> None:
    deps = (await query_data(api, DEPS, {"startup": "openai"}))["dependencies"]
    (platform,) = deps["platforms"]
    assert platform["platform"]["slug"] == "microsoft"
    assert platform["restrictedCount"] == 1
    assert platform["cloudProviderRelationship"] is True
    assert platform["unvaluedCount"] == 1  # the article gives no amount
    (line,) = deps["lines"]
    assert line["backer"]["slug"] == "microsoft"
    assert line["spendRestriction"] == "must be spent on Azure"
    assert line["restricted"] is True
    assert line["usd"] is None


async def test_moonshot_depends_on_alibaba_cloud(api: Api) -> None:
    deps = (await query_data(api, DEPS, {"startup": "moonshot-ai"}))["dependencies"]
    (platform,) = deps["platforms"]
    assert platform["platform"]["slug"] == "alibaba-cloud"
    assert platform["usd"] == {"min": "320000000", "max": "400000000", "estimated": True}
    assert platform["cloudProviderRelationship"] is True
    (line,) = deps["lines"]
    assert line["backer"]["slug"] == "alibaba"
    assert line["escrow"] is True
    assert line["announcedOn"] == {"date": "2024-02-01", "precision": "MONTH"}


async def test_dependencies_match_python_on_generated_data(
    generated_api: Api, generated: Market
) -> None:
    # Start-ups funded in kind: each line must be a component with a provider or a spend
    # restriction, and the platform totals must add up from the lines.
    startups = sorted(
        {
            generated.orgs[generated.rounds[inv["round_id"]]["organization_id"]]["slug"]
            for inv in generated.investments.values()
            for c in generated.components.get(inv["id"], [])
            if c["provider_id"] is not None or c["spend_restricted_to_id"] is not None
        }
    )[:8]
    assert startups
    for slug in startups:
        got = (await query_data(generated_api, DEPS, {"startup": slug}))["dependencies"]
        org = generated.slug_ids[slug]
        expected: dict[str, Any] = defaultdict(
            lambda: {"lines": 0, "low": Decimal(0), "high": Decimal(0), "unvalued": 0}
        )
        for inv in generated.investments.values():
            if generated.rounds[inv["round_id"]]["organization_id"] != org:
                continue
            if inv["investor_id"] is None:  # an angel's money is no platform dependency
                continue
            for c in generated.components.get(inv["id"], []):
                platform = c["spend_restricted_to_id"] or c["provider_id"]
                if platform is None:
                    continue
                entry = expected[generated.orgs[platform]["slug"]]
                entry["lines"] += 1
                bounds = generated.component_bounds(inv, c)
                if bounds is None:
                    entry["unvalued"] += 1
                else:
                    entry["low"] += bounds[0]
                    entry["high"] += bounds[1]
        assert got["lineCount"] == sum(e["lines"] for e in expected.values())
        for p in got["platforms"]:
            e = expected[p["platform"]["slug"]]
            assert (p["lineCount"], p["unvaluedCount"]) == (e["lines"], e["unvalued"])
            assert (p["usd"]["min"], p["usd"]["max"]) == (text(e["low"]), text(e["high"]))


# --- co-investors and paths ----------------------------------------------------------------

CO = """
query($org: String!, $first: Int) {
  coInvestors(organization: $org, first: $first) {
    totalCount roundsJoined
    nodes { organization { slug } sharedRounds firstSharedOn { date } lastSharedOn { date } }
  }
}"""


async def test_co_investors_match_brute_force_on_generated_data(
    generated_api: Api, generated: Market
) -> None:
    for slug in _busiest(generated, 5, as_investor=True):
        got = (await query_data(generated_api, CO, {"org": slug, "first": 100}))["coInvestors"]
        expected = generated.co_investors(slug)
        assert got["totalCount"] == len(expected)
        assert got["totalCount"] > 0
        ranked = sorted(
            expected.items(),
            key=lambda kv: (-kv[1][0], -(kv[1][2] or dt.date.min).toordinal(), kv[0]),
        )
        assert [n["organization"]["slug"] for n in got["nodes"]] == [
            generated.orgs[k]["slug"] for k, _ in ranked[:100]
        ]
        for node in got["nodes"]:
            count, first, last = expected[generated.slug_ids[node["organization"]["slug"]]]
            assert node["sharedRounds"] == count
            assert (node["firstSharedOn"] or {}).get("date") == (first and first.isoformat())
            assert (node["lastSharedOn"] or {}).get("date") == (last and last.isoformat())


async def test_alibaba_invests_alone_in_the_article(api: Api) -> None:
    got = (await query_data(api, CO, {"org": "alibaba", "first": 10}))["coInvestors"]
    assert got == {"totalCount": 0, "roundsJoined": 4, "nodes": []}


PATH = """
query($from: String!, $to: String!, $depth: Int! = 4) {
  investmentPath(from: $from, to: $to, maxDepth: $depth) {
    found length truncated
    steps { direction from { slug } to { slug }
            investment { investor { slug } organization { slug } } }
  }
}"""


async def test_path_in_the_article(api: Api) -> None:
    # Alibaba → Moonshot AI is one investment; Moonshot AI → Zhipu AI goes through Alibaba.
    got = (await query_data(api, PATH, {"from": "moonshot-ai", "to": "zhipu-ai"}))["investmentPath"]
    assert got["found"] is True
    assert got["length"] == 2
    assert [(s["direction"], s["from"]["slug"], s["to"]["slug"]) for s in got["steps"]] == [
        ("RAISED_FROM", "moonshot-ai", "alibaba"),
        ("INVESTED_IN", "alibaba", "zhipu-ai"),
    ]
    none = (await query_data(api, PATH, {"from": "alibaba", "to": "openai"}))["investmentPath"]
    assert none == {"found": False, "length": None, "truncated": False, "steps": []}


async def test_paths_agree_with_brute_force_on_generated_data(
    generated_api: Api, generated: Market
) -> None:
    graph = generated.neighbours()
    nodes = sorted(graph)
    pairs = [(nodes[i], nodes[(i * 7919 + 13) % len(nodes)]) for i in range(0, len(nodes), 97)]
    lengths: dict[int | None, int] = defaultdict(int)
    for a, b in pairs[:25]:
        slug_a, slug_b = generated.orgs[a]["slug"], generated.orgs[b]["slug"]
        got = (await query_data(generated_api, PATH, {"from": slug_a, "to": slug_b}))[
            "investmentPath"
        ]
        expected = Market.distance(graph, a, b, 4)
        if got["truncated"]:
            # A cap cut the search: it may only miss or lengthen a path, never shorten it.
            assert got["length"] is None or (expected is not None and got["length"] >= expected)
            continue
        assert got["length"] == expected, (slug_a, slug_b)
        lengths[expected] += 1
        position = slug_a
        for step in got["steps"]:
            assert step["from"]["slug"] == position
            inv = step["investment"]
            pair = {inv["investor"]["slug"], inv["organization"]["slug"]}
            assert pair == {step["from"]["slug"], step["to"]["slug"]}
            position = step["to"]["slug"]
        assert position == slug_b or not got["found"]
    assert sum(v for k, v in lengths.items() if k is not None and k >= 2) >= 3, lengths


# --- portfolio -------------------------------------------------------------------------------

HOLDING = """organization { slug } status exitedOn { date precision } roundsJoined leads
             committedUsd undisclosedCount stake { min max } heldStake { min max }
             latestValuationUsd impliedValue { min max } sector investments { id }
             latestValuation { basis valuedOn { date precision } valueUsd estimated
                               valuation { id } round { id } }"""
PORTFOLIO = f"""
query($investor: String!, $first: Int) {{
  portfolio(investor: $investor, first: $first) {{
    holdingCount exitedHoldingCount investmentCount leadCount committedUsd undisclosedCount
    unvaluedCount impliedValue {{ min max }}
    holdings {{ {HOLDING} }}
    exitedHoldings {{ {HOLDING} }}
    exposures {{ dimension key holdings committedUsd impliedValue {{ min max }} unvaluedCount }}
  }}
}}"""


async def test_alibaba_portfolio_is_four_chinese_ai_startups(api: Api) -> None:
    got = (await query_data(api, PORTFOLIO, {"investor": "alibaba"}))["portfolio"]
    assert got["holdingCount"] == 4
    assert (got["exitedHoldingCount"], got["exitedHoldings"]) == (0, [])
    assert {h["status"] for h in got["holdings"]} == {"ACTIVE"}
    moonshot = got["holdings"][0]
    assert moonshot["organization"]["slug"] == "moonshot-ai"
    # USD 800 million into a round valued at USD 2.5 billion: a 32% stake worth USD 800 million.
    assert moonshot["stake"] == moonshot["heldStake"] == {"min": "0.32", "max": "0.32"}
    assert moonshot["latestValuationUsd"] == "2500000000"
    assert moonshot["impliedValue"] == {"min": "800000000", "max": "800000000"}
    assert moonshot["sector"] == "AI chatbot"
    # F3's valuation record, linked to its round, is the one the holding is valued at.
    latest = moonshot["latestValuation"]
    assert latest["basis"] == "POST_MONEY"
    assert latest["valueUsd"] == "2500000000"
    assert latest["valuedOn"] == {"date": "2024-02-01", "precision": "MONTH"}
    assert latest["valuation"] is not None
    assert latest["round"] is not None
    assert [h["impliedValue"] for h in got["holdings"][1:]] == [None, None, None]
    countries = [e for e in got["exposures"] if e["dimension"] == "COUNTRY"]
    assert countries == [
        {
            "dimension": "COUNTRY",
            "key": "CN",
            "holdings": 4,
            "committedUsd": "800000000",
            "impliedValue": {"min": "800000000", "max": "800000000"},
            "unvaluedCount": 3,
        }
    ]


def _share_text(bounds: tuple[Decimal, Decimal] | None) -> dict[str, str] | None:
    return bounds and {"min": text(bounds[0]), "max": text(bounds[1])}


def _portfolio_investors(market: Market) -> list[str]:
    """The busiest investors, and the busiest of those that exited a holding whole and of
    those that exited one in part, so that every status is compared."""
    found = _busiest(market, 4, as_investor=True)
    for wanted in ("EXITED", "PARTIALLY_EXITED"):
        tally: dict[int, int] = defaultdict(int)
        for inv in market.investments.values():
            if market.status(inv) == wanted and inv["investor_id"] is not None:
                tally[inv["investor_id"]] += 1
        if tally:
            best = min(tally, key=lambda k: (-tally[k], k))
            found.append(market.orgs[best]["slug"])
    return list(dict.fromkeys(found))


async def test_portfolio_matches_python_on_generated_data(
    generated_api: Api, generated: Market
) -> None:
    statuses: set[str] = set()
    bases: set[str] = set()
    sold_in_part = 0
    for slug in _portfolio_investors(generated):
        got = (await query_data(generated_api, PORTFOLIO, {"investor": slug, "first": 100}))[
            "portfolio"
        ]
        expected = generated.portfolio(slug)
        held = {k: h for k, h in expected.items() if h["status"] != "EXITED"}
        assert got["holdingCount"] == len(held)
        assert got["exitedHoldingCount"] == len(expected) - len(held)
        assert got["investmentCount"] == sum(h["rounds"] for h in expected.values())
        assert got["committedUsd"] == text(sum((h["committed"] for h in expected.values()),
                                               Decimal(0)))  # fmt: skip
        listed = got["holdings"] + got["exitedHoldings"]
        assert len(listed) == min(100, len(held)) + min(100, len(expected) - len(held))
        for holding in listed:
            e = expected[generated.slug_ids[holding["organization"]["slug"]]]
            statuses.add(holding["status"])
            assert holding["status"] == e["status"]
            assert (holding in got["exitedHoldings"]) == (e["status"] == "EXITED")
            assert holding["roundsJoined"] == e["rounds"]
            assert holding["leads"] == e["leads"]
            assert holding["committedUsd"] == text(e["committed"])
            assert holding["sector"] == e["sector"]
            assert holding["stake"] == _share_text(e["stake"])
            assert holding["heldStake"] == _share_text(e["held"])
            if e["status"] == "PARTIALLY_EXITED" and e["held"] and e["held"] != e["stake"]:
                sold_in_part += 1
            assert holding["impliedValue"] == _share_text(e["implied"])
            latest, want = holding["latestValuation"], e["latest"]
            assert (latest is None) == (want is None)
            if latest is not None:
                bases.add(latest["basis"])
                assert latest["basis"] == want["basis"]
                assert latest["valueUsd"] == (want["usd"] and text(want["usd"]))
                assert latest["valuedOn"] == (
                    want["on"] and {"date": want["on"].isoformat(), "precision": want["precision"]}
                )
                assert (latest["valuation"] is None) == (want["valuation_id"] is None)
                assert holding["latestValuationUsd"] == latest["valueUsd"]
        by_country: dict[str | None, int] = defaultdict(int)
        for h in held.values():
            by_country[h["country"]] += 1
        got_countries = {
            x["key"]: x["holdings"] for x in got["exposures"] if x["dimension"] == "COUNTRY"
        }
        assert got_countries == dict(by_country)
        implied_total = sum((h["implied"][0] for h in held.values() if h["implied"]),
                            Decimal(0))  # fmt: skip
        assert got["impliedValue"]["min"] == text(implied_total)
        assert got["unvaluedCount"] == sum(1 for h in held.values() if h["implied"] is None)
    assert statuses == {"ACTIVE", "PARTIALLY_EXITED", "EXITED"}
    assert len(bases) >= 2, bases
    assert sold_in_part > 0


# --- time series and league tables ---------------------------------------------------------

SERIES = f"""
query($interval: Interval!, $period: DateRangeFilter, $filter: FundingRoundFilter) {{
  fundingTimeSeries(interval: $interval, period: $period, filter: $filter) {{
    undatedCount
    periods {{ start end roundCount possibleRoundCount undisclosedCount raisedUsd {{ {USD} }}
               nonCashShare {{ min max }} }}
  }}
}}"""

_LENGTH_MONTHS = {"DAY": 0, "MONTH": 1, "QUARTER": 3, "YEAR": 12}
_RANK = {"DAY": 0, "MONTH": 1, "QUARTER": 2, "YEAR": 3}


def _bucket(on: dt.date, interval: str) -> dt.date:
    if interval == "YEAR":
        return dt.date(on.year, 1, 1)
    if interval == "QUARTER":
        return dt.date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
    return dt.date(on.year, on.month, 1)


def _add_months(on: dt.date, months: int) -> dt.date:
    index = on.year * 12 + on.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _expected_series(market: Market, interval: str) -> dict[str, dict[str, Any]]:
    step = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[interval]
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"certain": 0, "possible": 0, "low": Decimal(0), "high": Decimal(0),
                 "undisclosed": 0}
    )  # fmt: skip
    for r in market.rounds.values():
        on = r["announced_on"]
        if on is None:
            continue
        certain = _RANK[r["announced_precision"]] <= _RANK[interval]
        raised = market.usd(r["raised_amount"], r["raised_currency"], on)
        if certain:
            buckets = [_bucket(on, interval)]
        else:
            stop = _add_months(on, _LENGTH_MONTHS[r["announced_precision"]])
            buckets, b = [], _bucket(on, interval)
            while b < stop:
                buckets.append(b)
                b = _add_months(b, step)
        for b in buckets:
            e = out[b.isoformat()]
            e["possible"] += 1
            e["high"] += raised or 0
            if certain:
                e["certain"] += 1
                e["low"] += raised or 0
                e["undisclosed"] += raised is None
    return out


@pytest.mark.parametrize("interval", ["MONTH", "QUARTER", "YEAR"])
async def test_series_matches_python_on_generated_data(
    generated_api: Api, generated: Market, interval: str
) -> None:
    period = {"gte": "2019-01-01", "lte": "2024-12-31"}
    got = (await query_data(generated_api, SERIES, {"interval": interval, "period": period}))[
        "fundingTimeSeries"
    ]
    expected = {
        k: v
        for k, v in _expected_series(generated, interval).items()
        if "2019-01-01" <= k <= "2024-12-31"
    }
    assert [p["start"] for p in got["periods"]] == sorted(expected)
    for point in got["periods"]:
        e = expected[point["start"]]
        assert (point["roundCount"], point["possibleRoundCount"]) == (e["certain"], e["possible"])
        assert point["undisclosedCount"] == e["undisclosed"]
        assert (point["raisedUsd"]["min"], point["raisedUsd"]["max"]) == (
            text(e["low"]),
            text(e["high"]),
        )
        share = point["nonCashShare"]
        if share is not None:
            assert Decimal(0) <= Decimal(share["min"]) <= Decimal(share["max"]) <= 1
    undated = sum(1 for r in generated.rounds.values() if r["announced_on"] is None)
    assert got["undatedCount"] == undated
    if interval == "MONTH":
        # Rounds known only to their quarter or year widen some months' ranges.
        assert any(p["possibleRoundCount"] > p["roundCount"] for p in got["periods"])


async def test_series_on_the_article(api: Api) -> None:
    got = (await query_data(api, SERIES, {"interval": "QUARTER"}))["fundingTimeSeries"]
    (q1,) = got["periods"]
    assert q1["start"] == "2024-01-01"
    assert q1["end"] == "2024-03-31"
    assert q1["roundCount"] == 1
    assert q1["raisedUsd"] == {"min": "1000000000", "max": "1000000000", "estimated": False}
    # Only Alibaba's split is known: 0.4-0.5 of it is credits.
    assert q1["nonCashShare"] == {"min": "0.4", "max": "0.5"}
    assert got["undatedCount"] == 4
    filtered = await query_data(
        api, SERIES, {"interval": "YEAR", "filter": {"considerationKind": {"eq": "CASH"}}}
    )
    assert [p["roundCount"] for p in filtered["fundingTimeSeries"]["periods"]] == [1]
    assert filtered["fundingTimeSeries"]["undatedCount"] == 1  # Microsoft's in OpenAI


LEAGUE = """
query($interval: Interval!, $rank: LeagueRanking!, $period: DateRangeFilter, $first: Int) {
  investorLeagueTables(interval: $interval, rankBy: $rank, period: $period, first: $first) {
    start end investorCount
    entries { position investor { slug } deals leads committedUsd { min } undisclosedCount }
  }
}"""


@pytest.mark.parametrize("rank", ["COUNT", "AMOUNT", "LEADS"])
async def test_league_tables_match_python_on_generated_data(
    generated_api: Api, generated: Market, rank: str
) -> None:
    period = {"gte": "2021-01-01", "lte": "2023-12-31"}
    got = (
        await query_data(
            generated_api, LEAGUE, {"interval": "YEAR", "rank": rank, "period": period, "first": 5}
        )
    )["investorLeagueTables"]
    assert [p["start"] for p in got] == ["2021-01-01", "2022-01-01", "2023-01-01"]
    for table in got:
        year = int(table["start"][:4])
        stats: dict[int, dict[str, Any]] = defaultdict(
            lambda: {"deals": 0, "leads": 0, "amount": Decimal(0)}
        )
        angels = 0
        for inv in generated.investments.values():
            r = generated.rounds[inv["round_id"]]
            if r["announced_on"] is None or r["announced_on"].year != year:
                continue
            if inv["investor_id"] is None:  # an angel (a person): in no league table
                angels += 1
                continue
            s = stats[inv["investor_id"]]
            s["deals"] += 1
            s["leads"] += inv["is_lead"]
            s["amount"] += generated.committed_usd(inv) or 0
        metric = {"COUNT": "deals", "LEADS": "leads", "AMOUNT": "amount"}[rank]
        ranked = sorted(
            stats,
            key=lambda k: (-stats[k][metric], -stats[k]["deals"], -stats[k]["amount"], k),
        )
        assert angels > 0, "the generated market has angels in every year compared"
        assert table["investorCount"] == len(stats)
        assert [e["investor"]["slug"] for e in table["entries"]] == [
            generated.orgs[k]["slug"] for k in ranked[:5]
        ]
        for entry in table["entries"]:
            s = stats[generated.slug_ids[entry["investor"]["slug"]]]
            assert (entry["deals"], entry["leads"]) == (s["deals"], s["leads"])
            assert entry["committedUsd"]["min"] == text(cents(s["amount"]))


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "variables", "message"),
    [
        (MIX, {"investor": "no-such-org"}, "No organization has the slug 'no-such-org'"),
        (MIX, {"period": {"gte": "2025-01-01", "lte": "2024-01-01"}}, "starts (2025-01-01)"),
        (TRIP, {"provider": "alibaba", "first": 0}, "between 1 and 100"),
        (DEPS, {"startup": "nope"}, "No organization has the slug 'nope'"),
        (CO, {"org": "alibaba", "first": 101}, "between 1 and 100"),
        (PATH, {"from": "alibaba", "to": "openai", "depth": 5}, "between 1 and 4"),
        (PATH, {"from": "alibaba", "to": "missing"}, "No organization has the slug 'missing'"),
        (PORTFOLIO, {"investor": "alibaba", "first": 500}, "between 1 and 100"),
        (LEAGUE, {"interval": "MONTH", "rank": "COUNT", "first": 0}, "between 1 and 100"),
    ],
)
async def test_bad_input_is_a_user_error(
    api: Api, document: str, variables: dict[str, Any], message: str
) -> None:
    error = await query_error(api, document, variables)
    assert message in error["message"]


async def test_too_many_periods_is_a_user_error(generated_api: Api) -> None:
    error = await query_error(generated_api, LEAGUE, {"interval": "MONTH", "rank": "COUNT"})
    assert "at most 60 periods" in error["message"]


async def test_series_without_the_share_skips_it_and_agrees(generated_api: Api) -> None:
    variables = {"interval": "YEAR", "period": {"gte": "2020-01-01", "lte": "2023-12-31"}}
    full = (await query_data(generated_api, SERIES, variables))["fundingTimeSeries"]
    lean_query = SERIES.replace("nonCashShare { min max }", "")
    lean = (await query_data(generated_api, lean_query, variables))["fundingTimeSeries"]
    for point in full["periods"]:
        assert point.pop("nonCashShare") is not None
    assert lean == full
