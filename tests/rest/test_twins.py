"""Every REST route answers what its GraphQL twin answers, on the article and generated data.

Each case gives a REST request and, written out by hand, the variables the same operation
takes over /graphql: the REST body must be that response's root field, value for value and in
the same key order.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from service.config import Settings
from service.rest.operations import REST_DIR, load_operations
from service.schema import build_schema
from tests.api.support import global_id
from tests.rest.conftest import twin

ROUND_1 = global_id("FundingRound", 1)
DESC, ASC = "DESC", "ASC"

# (REST request, operation, the operation's variables over GraphQL)
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("/api/v1/organizations", "RestOrganizations", {}),
    (
        "/api/v1/organizations?country=CN&kind=INVESTOR&sort=-created_at,name&limit=5",
        "RestOrganizations",
        {
            "filter": {"country": {"eq": "CN"}, "kind": {"eq": "INVESTOR"}},
            "sort": [
                {"field": "CREATED_AT", "direction": DESC},
                {"field": "NAME", "direction": ASC},
            ],
            "limit": 5,
        },
    ),
    (
        "/api/v1/organizations?kind=STARTUP&kind=CLOUD_PROVIDER&name.contains=a&sort=slug",
        "RestOrganizations",
        {
            "filter": {"kind": {"in": ["STARTUP", "CLOUD_PROVIDER"]}, "name": {"contains": "a"}},
            "sort": [{"field": "SLUG", "direction": ASC}],
        },
    ),
    (
        "/api/v1/organizations?country=US&filter="
        + json.dumps({"or": [{"kind": {"eq": "INVESTOR"}}, {"slug": {"eq": "openai"}}]}),
        "RestOrganizations",
        {
            "filter": {
                "and": [
                    {"or": [{"kind": {"eq": "INVESTOR"}}, {"slug": {"eq": "openai"}}]},
                    {"country": {"eq": "US"}},
                ]
            }
        },
    ),
    ("/api/v1/organizations/moonshot-ai", "RestOrganization", {"slug": "moonshot-ai"}),
    ("/api/v1/organizations/alibaba-cloud", "RestOrganization", {"slug": "alibaba-cloud"}),
    ("/api/v1/people?limit=3", "RestPeople", {"limit": 3}),
    ("/api/v1/people?slug=eddie-wu", "RestPeople", {"filter": {"slug": {"eq": "eddie-wu"}}}),
    ("/api/v1/people/eddie-wu", "RestPerson", {"slug": "eddie-wu"}),
    ("/api/v1/funding-rounds?limit=10", "RestFundingRounds", {"limit": 10}),
    (
        "/api/v1/funding-rounds?organization=moonshot-ai&sort=-amount,announced_on",
        "RestFundingRounds",
        {
            "filter": {"organization": {"slugs": ["moonshot-ai"]}},
            "sort": [
                {"field": "AMOUNT", "direction": DESC},
                {"field": "ANNOUNCED_ON", "direction": ASC},
            ],
        },
    ),
    (
        "/api/v1/funding-rounds?announced.gte=2024-01-01&status=ANNOUNCED&status=CLOSED",
        "RestFundingRounds",
        {
            "filter": {
                "announced": {"gte": "2024-01-01"},
                "status": {"in": ["ANNOUNCED", "CLOSED"]},
            }
        },
    ),
    (f"/api/v1/funding-rounds/{ROUND_1}", "RestFundingRound", {"id": ROUND_1}),
    ("/api/v1/investments?limit=15", "RestInvestments", {"limit": 15}),
    (
        "/api/v1/investments?investor=alibaba&considerationKind=CLOUD_CREDITS",
        "RestInvestments",
        {
            "filter": {
                "investor": {"slugs": ["alibaba"]},
                "considerationKind": {"eq": "CLOUD_CREDITS"},
            }
        },
    ),
    # An angel of the generated market (seed 11): a person as the investor.
    (
        "/api/v1/investments?investorPerson=sven-usman-g11-254&investorPerson=tara-park-g11-341",
        "RestInvestments",
        {"filter": {"investorPerson": {"slugs": ["sven-usman-g11-254", "tara-park-g11-341"]}}},
    ),
    (
        "/api/v1/investments?isLead=true&sort=-amount",
        "RestInvestments",
        {"filter": {"isLead": True}, "sort": [{"field": "AMOUNT", "direction": DESC}]},
    ),
    ("/api/v1/credit-types", "RestCreditTypes", {}),
    ("/api/v1/credit-programs?limit=2", "RestCreditPrograms", {"limit": 2}),
    ("/api/v1/search?q=moonshot", "RestSearch", {"q": "moonshot"}),
    (
        "/api/v1/search?q=alibba&kinds=ORGANIZATION&kinds=PERSON&limit=3",
        "RestSearch",
        {"q": "alibba", "kinds": ["ORGANIZATION", "PERSON"], "limit": 3},
    ),
    ("/api/v1/analytics/consideration-mix", "RestConsiderationMix", {}),
    (
        "/api/v1/analytics/consideration-mix?investor=alibaba&period.gte=2023-01-01",
        "RestConsiderationMix",
        {"investor": "alibaba", "period": {"gte": "2023-01-01"}},
    ),
    (
        "/api/v1/analytics/round-trip-exposure/alibaba",
        "RestRoundTripExposure",
        {"provider": "alibaba"},
    ),
    ("/api/v1/analytics/dependencies/openai", "RestDependencies", {"startup": "openai"}),
    (
        "/api/v1/analytics/co-investors/alibaba?limit=5",
        "RestCoInvestors",
        {"organization": "alibaba", "limit": 5},
    ),
    (
        "/api/v1/analytics/investment-path?from=moonshot-ai&to=zhipu-ai&maxDepth=3",
        "RestInvestmentPath",
        {"from": "moonshot-ai", "to": "zhipu-ai", "maxDepth": 3},
    ),
    ("/api/v1/analytics/portfolio/tencent", "RestPortfolio", {"investor": "tencent"}),
    (
        "/api/v1/analytics/funding-time-series?interval=YEAR&status=CLOSED",
        "RestFundingTimeSeries",
        {"interval": "YEAR", "filter": {"status": {"eq": "CLOSED"}}},
    ),
    (
        "/api/v1/analytics/league-tables?interval=YEAR&rankBy=AMOUNT&limit=5",
        "RestLeagueTables",
        {"interval": "YEAR", "rankBy": "AMOUNT", "limit": 5},
    ),
]


def _ordered(text: str) -> Any:
    """Objects as lists of pairs, so that key order is compared too."""
    return json.loads(text, object_pairs_hook=list)


@pytest.mark.parametrize(("url", "name", "variables"), CASES, ids=[c[0] for c in CASES])
async def test_route_answers_as_its_graphql_twin(
    dataset: httpx.AsyncClient, url: str, name: str, variables: dict[str, Any]
) -> None:
    response = await dataset.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    graphql = await twin(dataset, name, variables)
    assert "errors" not in graphql, graphql
    (root,) = graphql["data"]
    twin_body = json.dumps(graphql["data"][root], ensure_ascii=False)
    assert _ordered(response.text) == _ordered(twin_body)


def test_every_route_has_a_case() -> None:
    schema = build_schema(Settings())._schema
    operations = load_operations(schema)
    names = {o.name for o in operations}
    # The change feed's twin is compared in tests/changes: its answer is the writes before it.
    # Webhook routes need an admin key and write: tests/webhooks compares them.
    webhooks = {o.name for o in operations if o.path.startswith("/api/v1/webhooks")}
    assert names - {"RestChanges"} - webhooks == {name for _, name, _ in CASES}
    assert {f"Rest{p.stem}" for p in REST_DIR.glob("*.graphql")} == names


async def test_both_executors_serve_the_routes(http: httpx.AsyncClient) -> None:
    """Reads the compiler plans take its path; the rest the resolvers (as over /graphql)."""
    compiled = await http.get("/api/v1/organizations/moonshot-ai")
    resolved = await http.get("/api/v1/analytics/portfolio/alibaba")
    assert compiled.headers["x-stakegraph-executor"] == "compiled"
    assert resolved.headers["x-stakegraph-executor"] == "resolvers"


async def test_an_angels_routes_name_the_person(generated_http: httpx.AsyncClient) -> None:
    response = await generated_http.get("/api/v1/investments?investorPerson=sven-usman-g11-254")
    assert response.status_code == 200, response.text
    nodes = response.json()["nodes"]
    assert nodes
    assert all(n["investor"] is None for n in nodes)
    assert {n["investorPerson"]["slug"] for n in nodes} == {"sven-usman-g11-254"}
    person = (await generated_http.get("/api/v1/people/sven-usman-g11-254")).json()
    assert person["angelInvestments"]["totalCount"] == len(nodes)
