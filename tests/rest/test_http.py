"""The HTTP side of the REST reads: pages and Link headers, ETags, problems, keys and scopes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.rest.conftest import Keys, twin

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')
PROBLEM = "application/problem+json"


def _next(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    match = LINK.match(link)
    assert match is not None, link
    return match.group("url")


async def _walk(client: httpx.AsyncClient, url: str) -> tuple[list[Any], int, int]:
    """Every node of every page by following Link headers; (nodes, pages, totalCount)."""
    nodes: list[Any] = []
    pages = 0
    total = -1
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        nodes.extend(body["nodes"])
        total = body["totalCount"]
        pages += 1
        next_url = _next(response)
        assert (next_url is not None) == body["pageInfo"]["hasNextPage"]
    return nodes, pages, total


async def test_link_headers_walk_every_page_once(dataset: httpx.AsyncClient) -> None:
    nodes, pages, total = await _walk(dataset, "/api/v1/organizations?limit=40&sort=-created_at")
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == total
    assert pages == -(-total // 40)
    everything: list[str] = []
    cursor = None
    while True:
        variables: dict[str, Any] = {"limit": 40, "cursor": cursor}
        variables["sort"] = [{"field": "CREATED_AT", "direction": "DESC"}]
        page = (await twin(dataset, "RestOrganizations", variables))["data"]["organizations"]
        everything += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert ids == everything


async def test_link_keeps_the_filters(http: httpx.AsyncClient) -> None:
    nodes, pages, total = await _walk(http, "/api/v1/organizations?kind=INVESTOR&limit=3")
    assert pages == 3
    assert total == len(nodes) == 8
    assert all("INVESTOR" in n["kinds"] for n in nodes)


async def test_etag_and_if_none_match(http: httpx.AsyncClient) -> None:
    first = await http.get("/api/v1/organizations/moonshot-ai")
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = await http.get("/api/v1/organizations/moonshot-ai", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    for header in (f'"other", W/{etag}', "*"):
        matched = await http.get(
            "/api/v1/organizations/moonshot-ai", headers={"If-None-Match": header}
        )
        assert matched.status_code == 304
    stale = await http.get("/api/v1/organizations/moonshot-ai", headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200
    assert stale.content == first.content
    other = await http.get("/api/v1/organizations/alibaba")
    assert other.headers["etag"] != etag


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].endswith(body["code"].lower().replace("_", "-"))
    assert body["title"]
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    ("url", "name", "variables"),
    [
        ("/api/v1/organizations?limit=1000", "RestOrganizations", {"limit": 1000}),
        ("/api/v1/organizations?kind=NOT_A_KIND", "RestOrganizations",
         {"filter": {"kind": {"eq": "NOT_A_KIND"}}}),
        ("/api/v1/analytics/portfolio/nobody", "RestPortfolio", {"investor": "nobody"}),
        ("/api/v1/search?q=a", "RestSearch", {"q": "a"}),
        ("/api/v1/funding-rounds/not-an-id", "RestFundingRound", {"id": "not-an-id"}),
        ("/api/v1/analytics/investment-path?from=alibaba&to=openai&maxDepth=9",
         "RestInvestmentPath", {"from": "alibaba", "to": "openai", "maxDepth": 9}),
        ("/api/v1/organizations?filter=" + "{\"or\":[" + ",".join(['{"slug":{"eq":"a"}}'] * 300)
         + "]}", "RestOrganizations",
         {"filter": {"or": [{"slug": {"eq": "a"}}] * 300}}),
    ],
)  # fmt: skip
async def test_errors_are_problems_with_graphql_codes(
    http: httpx.AsyncClient, url: str, name: str, variables: dict[str, Any]
) -> None:
    response = await http.get(url)
    graphql = await twin(http, name, variables)
    code = graphql["errors"][0]["extensions"]["code"]
    body = _problem(response, 400)
    assert body["code"] == code
    assert body["detail"] == graphql["errors"][0]["message"]
    assert body["instance"] == url.split("?")[0]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/v1/organizations?bogus=1", "Unknown parameter `bogus`"),
        ("/api/v1/organizations?limit=ten", "`limit` must be an integer"),
        ("/api/v1/organizations?limit=1&limit=2", "Give `limit` once"),
        ("/api/v1/organizations?sort=-height", "`sort` has '-height'"),
        ("/api/v1/organizations?filter=[1", "`filter`"),
        ("/api/v1/organizations?filter=[1]", "`filter` must be a JSON object"),
        ("/api/v1/investments?isLead=maybe", "`isLead` must be true or false"),
        ("/api/v1/people?slug=x&filter={}", "has no `and`"),
        ("/api/v1/analytics/league-tables", "`interval` is required"),
    ],
)
async def test_parameters_the_route_cannot_use(
    http: httpx.AsyncClient, url: str, words: str
) -> None:
    body = _problem(await http.get(url), 400)
    assert body["code"] == "BAD_USER_INPUT"
    assert words in body["detail"]


async def test_missing_items_are_404(http: httpx.AsyncClient) -> None:
    for url in ("/api/v1/organizations/nobody", "/api/v1/people/nobody"):
        body = _problem(await http.get(url), 404)
        assert body["code"] == "NOT_FOUND"


async def test_keys_and_scopes_as_for_graphql(private_http: httpx.AsyncClient, keys: Keys) -> None:
    url = "/api/v1/organizations/moonshot-ai"
    variables = {"slug": "moonshot-ai"}
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer sg_nonsense"}, 401),
        ({"Authorization": "Basic abc"}, 401),
    ):
        response = await private_http.get(url, headers=headers)
        body = _problem(response, status)
        graphql = await twin(private_http, "RestOrganization", variables, headers)
        assert body["code"] == graphql["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    for key in (keys.read, keys.write, keys.admin):
        response = await private_http.get(url, headers=Keys.bearer(key))
        assert response.status_code == 200, response.text
        assert response.json()["slug"] == "moonshot-ai"


async def test_two_authorization_headers_are_refused(
    private_http: httpx.AsyncClient, keys: Keys
) -> None:
    headers = [("Authorization", f"Bearer {keys.read}"), ("Authorization", f"Bearer {keys.read}")]
    response = await private_http.get("/api/v1/credit-types", headers=headers)
    assert _problem(response, 401)["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "as_of",
    ["2030-01-01T00:00:00+16:14", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
)
async def test_as_of_with_any_offset_python_admits(http: httpx.AsyncClient, as_of: str) -> None:
    """Offsets PostgreSQL's timestamptz refuses, and moments UTC moves past year 1 or 9999,
    read as GraphQL reads them (found by schemathesis: they were a 500)."""
    for url, name, variables in (
        ("/api/v1/credit-types", "RestCreditTypes", {"asOf": as_of}),
        ("/api/v1/organizations/moonshot-ai", "RestOrganization", {"slug": "moonshot-ai"}),
    ):
        variables["asOf"] = as_of
        response = await http.get(url, params={"asOf": as_of})
        graphql = await twin(http, name, variables)
        assert "errors" not in graphql, graphql
        (root,) = graphql["data"]
        if graphql["data"][root] is None:
            assert response.status_code == 404
        else:
            assert response.status_code == 200, response.text
            assert response.json() == graphql["data"][root]
