"""Search finds funds by name, as it finds products (exactly, by prefix, despite a typo), and
listings by ticker."""

from __future__ import annotations

from typing import Any

from tests.compiler.conftest import Pair

SEARCH = """
query($query: String!, $kinds: [SearchKind!]) {
  search(query: $query, kinds: $kinds, first: 5) {
    kind score matchedName node { __typename ... on Fund { slug manager { slug } } }
  }
}"""


async def _hits(pair: Pair, query: str, kinds: list[str] | None = None) -> list[dict[str, Any]]:
    answer = await pair.both(SEARCH, {"query": query, "kinds": kinds}, executor="resolvers")
    found: list[dict[str, Any]] = answer.data["search"]
    return found


async def test_a_fund_is_found_by_its_name(deals_pair: Pair) -> None:
    [hit, *_] = await _hits(deals_pair, "Cobalt Fund I")
    assert (hit["kind"], hit["matchedName"]) == ("FUND", "Cobalt Fund I")
    assert hit["node"] == {
        "__typename": "Fund",
        "slug": "cobalt-fund-i",
        "manager": {"slug": "cobalt-capital"},
    }
    assert int(hit["score"]) == 3


async def test_a_fund_is_found_by_prefix_and_despite_a_typo(deals_pair: Pair) -> None:
    for query, tier in (("cobalt fund", 1), ("cobalt fnd i", 0)):
        hits = await _hits(deals_pair, query, ["FUND"])
        assert [h["node"]["slug"] for h in hits] == ["cobalt-fund-i"], query
        assert int(hits[0]["score"]) == tier, query


async def test_funds_are_searched_only_when_asked_for(deals_pair: Pair) -> None:
    hits = await _hits(deals_pair, "Cobalt Fund I", ["ORGANIZATION", "PRODUCT"])
    assert all(h["kind"] != "FUND" for h in hits)


LISTING = """
query($query: String!) {
  search(query: $query, first: 5) {
    kind score matchedName node { __typename ... on Listing { status organization { slug } } }
  }
}"""


async def test_a_listing_is_found_by_its_ticker_in_any_case(deals_pair: Pair) -> None:
    for query in ("ACME", "acme"):
        answer = await deals_pair.both(LISTING, {"query": query}, executor="resolvers")
        listings = [h for h in answer.data["search"] if h["kind"] == "LISTING"]
        assert listings == [
            {
                "kind": "LISTING",
                "score": 3.855,
                "matchedName": "ACME · NASDAQ",
                "node": {
                    "__typename": "Listing",
                    "status": "LISTED",
                    "organization": {"slug": "acme-ai"},
                },
            }
        ], query
    # A ticker matches whole: a part of one finds no listing.
    answer = await deals_pair.both(LISTING, {"query": "acm"}, executor="resolvers")
    assert all(h["kind"] != "LISTING" for h in answer.data["search"])
