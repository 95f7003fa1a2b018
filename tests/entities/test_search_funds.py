"""Search finds funds by name, as it finds products: exactly, by prefix, and despite a typo."""

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
