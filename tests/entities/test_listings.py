"""Listings (IPOs): the article's withdrawn cloud IPO (F13) with its claims, both executors
alike on every field, filter and ordering, and writes with their user errors."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.api.support import global_id
from tests.compiler.conftest import Pair
from tests.writes.conftest import Client

LISTING_FIELDS = """
  id version status exchange ticker withdrawalReason sharesOffered description
  announcedOn { date precision } filedOn { date precision }
  listedOn { date precision } withdrawnOn { date precision }
  raised { amount currency amountUsd } valuation { amount currency estimated }
  organization { slug }
  claims { factRef statement attribution }
"""


def _nodes(data: Any, *path: str) -> list[dict[str, Any]]:
    for step in path:
        data = data[step]
    found: list[dict[str, Any]] = data["nodes"]
    return found


async def test_f13_the_cloud_ipo_plan_is_a_withdrawn_listing(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        f"""{{ organization(slug: "alibaba-cloud") {{
              listings(first: 5) {{ nodes {{ {LISTING_FIELDS} }} }} }} }}"""
    )
    [ipo] = _nodes(answer.data, "organization", "listings")
    assert ipo["status"] == "WITHDRAWN"
    # November, the year inferred from the article's time frame: month precision.
    assert ipo["withdrawnOn"] == {"date": "2023-11-01", "precision": "MONTH"}
    assert "chip" in ipo["withdrawalReason"]
    assert ipo["exchange"] is None
    assert ipo["raised"] is None
    assert ipo["claims"]
    assert {c["factRef"] for c in ipo["claims"]} == {"F13"}
    assert "cancelled the plan in November" in ipo["claims"][0]["statement"]


async def test_root_list_filters_and_orderings(deals_pair: Pair) -> None:
    answer = await deals_pair.both(f"{{ listings(first: 10) {{ nodes {{ {LISTING_FIELDS} }} }} }}")
    nodes = _nodes(answer.data, "listings")
    # By latest known step, latest first: filed Q2 2024, listed 2 Nov 2023, withdrawn Nov 2023
    # (a month sorts as its first day).
    assert [n["organization"]["slug"] for n in nodes] == ["bolt-labs", "acme-ai", "alibaba-cloud"]
    acme = nodes[1]
    assert acme["sharesOffered"] == "42000000"
    assert acme["raised"]["amountUsd"] == "840000000"
    cases = {
        "{status: {eq: LISTED}}": ["acme-ai"],
        '{exchange: {in: ["HKEX", "NYSE"]}}': ["bolt-labs"],
        '{date: {lte: "2023-12-31"}}': ["acme-ai", "alibaba-cloud"],
        '{not: {organization: {slugs: ["alibaba-cloud"]}}}': ["bolt-labs", "acme-ai"],
        "{or: [{status: {eq: WITHDRAWN}}, {status: {eq: FILED}}]}": ["bolt-labs", "alibaba-cloud"],
    }
    for condition, slugs in cases.items():
        found = await deals_pair.both(
            f"{{ listings(first: 10, filter: {condition}) "
            "{ nodes { organization { slug } } } }"
        )
        assert [n["organization"]["slug"] for n in _nodes(found.data, "listings")] == slugs, (
            condition
        )
    by_raised = await deals_pair.both(
        "{ listings(first: 10, orderBy: [{field: RAISED, direction: DESC}]) "
        "{ nodes { organization { slug } } totalCount } }"
    )
    ranked = [n["organization"]["slug"] for n in _nodes(by_raised.data, "listings")]
    assert ranked[0] == "acme-ai"
    assert by_raised.data["listings"]["totalCount"] == 3


CREATE = """
mutation($input: ListingCreateInput!) {
  listingCreate(input: $input) {
    listing { id version status sharesOffered organization { slug } }
    userErrors { field code message }
  }
}"""


async def test_listing_writes_and_their_user_errors(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    pk = await conn.fetchval("SELECT id FROM organization WHERE slug = 'zhipu-ai'")
    org = global_id("Organization", pk)
    made = await client.gql(
        CREATE,
        {
            "input": {
                "organization": org,
                "status": "FILED",
                "exchange": "SSE",
                "filedOn": {"date": "2025-04-01", "precision": "QUARTER"},
                "sharesOffered": "100000000",
            }
        },
        key=keys["write"],
    )
    payload = made["data"]["listingCreate"]
    assert payload["userErrors"] == []
    assert payload["listing"]["sharesOffered"] == "100000000"
    before = await conn.fetchval("SELECT count(*) FROM listing")
    bad = [
        {
            "organization": org,
            "status": "FILED",
            "listedOn": {"date": "2025-06-01", "precision": "DAY"},
        },
        {"organization": org, "status": "PLANNED", "withdrawalReason": "none given"},
        {"organization": org, "status": "PLANNED", "sharesOffered": "many"},
        {"organization": org, "status": "PLANNED", "sharesOffered": "1.5"},
        {"organization": org, "status": "PLANNED", "raised": {"amount": "1", "currency": "XXQ"}},
    ]
    for variables in bad:
        body = await client.gql(CREATE, {"input": variables}, key=keys["write"])
        refused = body["data"]["listingCreate"]
        assert refused["listing"] is None, variables
        assert [e["code"] for e in refused["userErrors"]] == ["INVALID"], refused
    assert await conn.fetchval("SELECT count(*) FROM listing") == before
