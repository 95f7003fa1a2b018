"""Search: the judged query set (precision@1), ranking rules, index use and input errors."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import asyncpg
import pytest

from tests.analytics.conftest import query_data, query_error
from tests.analytics.judged_queries import JUDGED
from tests.conftest import Api

TOP = """
query($q: String!, $kinds: [SearchKind!], $first: Int) {
  search(query: $q, kinds: $kinds, first: $first) {
    kind score matchedName
    node { __typename ... on Organization { slug } ... on Person { slug }
           ... on Product { slug } ... on FundingRound { id organization { slug } } }
  }
}
"""
# The share of judged queries whose first hit must be the expected one; the README states
# the measured value.
PRECISION_FLOOR = 0.95


async def _hits(api: Api, query: str, first: int = 5, kinds: Any = None) -> list[dict[str, Any]]:
    data = await query_data(api, TOP, {"q": query, "first": first, "kinds": kinds})
    hits: list[dict[str, Any]] = data["search"]
    return hits


async def precision_at_1(api: Api) -> tuple[float, list[str]]:
    misses: list[str] = []
    for query, type_name, slug in JUDGED:
        hits = await _hits(api, query, first=1)
        got = (hits[0]["node"]["__typename"], hits[0]["node"].get("slug")) if hits else None
        if got != (type_name, slug):
            misses.append(f"{query!r}: expected {slug}, got {got}")
    return 1 - len(misses) / len(JUDGED), misses


def _script(query: str) -> str:
    if any("\u4e00" <= c <= "\u9fff" for c in query):
        return "Hans"
    if any("\u0600" <= c <= "\u06ff" for c in query):
        return "Arab"
    return "Latn"


def test_judged_set_covers_three_scripts() -> None:
    assert len(JUDGED) >= 40
    scripts = [_script(q) for q, _, _ in JUDGED]
    assert all(scripts.count(s) >= 10 for s in ("Latn", "Hans", "Arab")), scripts


async def test_precision_at_1_on_the_article_dataset(api: Api) -> None:
    precision, misses = await precision_at_1(api)
    print(f"\nsearch precision@1 (article dataset): {precision:.3f} over {len(JUDGED)} queries")
    assert precision >= PRECISION_FLOOR, misses


async def test_precision_at_1_among_generated_namesakes(generated_api: Api) -> None:
    # The same judged queries with a generated market of Chinese, Arabic and Latin names
    # around the article's organizations: the noise a real catalogue has.
    precision, misses = await precision_at_1(generated_api)
    print(f"\nsearch precision@1 (article + generated): {precision:.3f} over {len(JUDGED)}")
    assert precision >= PRECISION_FLOOR, misses


@pytest.mark.parametrize(
    ("query", "slug"), [("月之暗面", "moonshot-ai"), ("alibba", "alibaba"), ("علي بابا", "alibaba")]
)
async def test_acceptance_first_hits(generated_api: Api, query: str, slug: str) -> None:
    (hit,) = await _hits(generated_api, query, first=1)
    assert hit["kind"] == "ORGANIZATION"
    assert hit["node"]["slug"] == slug


async def test_exact_name_ranks_above_fuzzy_ones(api: Api) -> None:
    hits = await _hits(api, "alibaba cloud", first=5)
    assert hits[0]["node"]["slug"] == "alibaba-cloud"
    assert hits[0]["score"] >= 2.0  # exact: 1 for the text, 1 for equality
    assert all(h["score"] < 2.0 for h in hits[1:])
    assert hits[0]["matchedName"] == "Alibaba Cloud"


async def test_matched_name_is_the_stored_form_in_its_script(api: Api) -> None:
    (hit,) = await _hits(api, "عَلِي بَابَا", first=1)
    assert hit["matchedName"] == "علي بابا"
    (hit,) = await _hits(api, "ALIBABA GROUP", first=1)
    assert hit["matchedName"] == "Alibaba Group"


async def test_rounds_are_found_through_their_raiser(api: Api) -> None:
    hits = await _hits(api, "月之暗面", first=5, kinds=["FUNDING_ROUND"])
    assert [h["kind"] for h in hits] == ["FUNDING_ROUND"]
    assert hits[0]["node"]["organization"]["slug"] == "moonshot-ai"
    assert hits[0]["matchedName"] == "月之暗面 · UNDISCLOSED · 2024-02-01"
    both = await _hits(api, "月之暗面", first=5)
    assert [h["kind"] for h in both] == ["ORGANIZATION", "FUNDING_ROUND"]


async def test_kinds_limit_the_search(api: Api) -> None:
    people = await _hits(api, "wu", first=10, kinds=["PERSON"])
    assert people
    assert {h["node"]["__typename"] for h in people} == {"Person"}
    products = await _hits(api, "kimi", first=10, kinds=["PRODUCT"])
    assert [h["node"]["slug"] for h in products] == ["kimi"]


async def test_well_connected_namesake_ranks_first(
    generated_api: Api, generated_conn: asyncpg.Connection
) -> None:
    # Independent check: among organizations sharing a normalised name, the one with the most
    # investments, rounds and relationships (each capped at 1000) must come first.
    rows = await generated_conn.fetch(
        """
        SELECT n.normalized, n.value, o.id, o.slug,
               (SELECT count(*) FROM investment i WHERE i.investor_id = o.id)
             + (SELECT count(*) FROM funding_round r WHERE r.organization_id = o.id)
             + (SELECT count(*) FROM relationship x WHERE x.source_id = o.id)
             + (SELECT count(*) FROM relationship x WHERE x.target_id = o.id) AS degree
        FROM organization_name n JOIN organization o ON o.id = n.organization_id
        WHERE n.is_primary
        """
    )
    groups: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        groups[row["normalized"]].append(row)
    namesakes = [
        g for g in groups.values()
        if len(g) >= 2 and len({r["degree"] for r in g}) == len(g)
        and len(g[0]["normalized"]) >= 4
    ]  # fmt: skip
    assert namesakes, "the generated dataset should contain namesakes"
    checked = 0
    for group in namesakes[:10]:
        expected = max(group, key=lambda r: r["degree"])
        hits = await _hits(generated_api, group[0]["value"], first=len(group) + 5)
        org_hits = [h for h in hits if h["kind"] == "ORGANIZATION"]
        top = org_hits[0]
        if top["score"] < 2.0:
            continue  # another organization's alias equals the query: not a namesake case
        assert top["node"]["slug"] == expected["slug"], (group[0]["value"], org_hits)
        degree = min(expected["degree"], 1000)
        assert top["score"] >= 2.0 + 0.2 * math.log(1 + degree) / math.log(1001) - 1e-4
        checked += 1
    assert checked >= 1


async def test_trigram_indexes_serve_the_search(generated_conn: asyncpg.Connection) -> None:
    from service.analytics.search import _matches

    plans: dict[str, str] = {}
    for table, column, index in (
        ("organization_name", "normalized", "ix_organization_name_normalized_trgm"),
        ("person", "native_name_normalized", "ix_person_native_name_normalized_trgm"),
        ("product", "name_normalized", "ix_product_name_normalized_trgm"),
    ):
        async with generated_conn.transaction():
            # Small test tables may be read whole; what matters is that the index can serve.
            await generated_conn.execute("SET LOCAL enable_seqscan = off")
            rows = await generated_conn.fetch(
                f"EXPLAIN WITH q AS (SELECT sg_normalize('alibba') AS q, '%alibba%' AS pattern) "
                f"SELECT * FROM {table} t, q WHERE {_matches('t.' + column)}"
            )
        plans[index] = "\n".join(r[0] for r in rows)
        assert index in plans[index], plans[index]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"q": " ", "first": 5}, "at least 2 characters"),
        ({"q": "a", "first": 5}, "at least 2 characters"),
        ({"q": "x" * 201, "first": 5}, "at most 200"),
        ({"q": "alibaba", "first": 0}, "between 1 and 50"),
        ({"q": "alibaba", "first": 51}, "between 1 and 50"),
        ({"q": "alibaba", "first": 5, "kinds": []}, "at least one kind"),
    ],
)
async def test_bad_input_is_a_user_error(api: Api, variables: dict[str, Any], message: str) -> None:
    error = await query_error(api, TOP, variables)
    assert message in error["message"]
