"""Acquisitions: read through both executors alike, filtered and ordered, with their payment
components and claims; written through the bulk format and the mutations."""

from __future__ import annotations

from typing import Any

from tests.compiler.conftest import Pair

ACQUISITION_FIELDS = """
  id version recordedAt status description
  announcedOn { date precision } completedOn { date precision }
  price { amount currency estimated amountUsd }
  stake { min max }
  acquirer { slug } acquired { slug name }
  consideration { id kind estimated description amount { amount currency } share { min max } }
  claims { statement attribution source { slug } }
"""


def _nodes(answer: Any, *path: str) -> list[dict[str, Any]]:
    data = answer.data
    for step in path:
        data = data[step]
    found: list[dict[str, Any]] = data["nodes"]
    return found


async def test_root_list_in_default_order_with_every_field(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        f"{{ acquisitions(first: 10) {{ nodes {{ {ACQUISITION_FIELDS} }} totalCount }} }}"
    )
    nodes = _nodes(answer, "acquisitions")
    # Latest first: completed June 2024, announced Q1 2023, then the undated one.
    assert [n["acquired"]["slug"] for n in nodes] == ["acme-ai", "bolt-labs", "bolt-labs"]
    assert answer.data["acquisitions"]["totalCount"] == 3
    acme = nodes[0]
    assert acme["status"] == "COMPLETED"
    assert acme["completedOn"] == {"date": "2024-06-15", "precision": "DAY"}
    assert acme["price"]["amount"] == "1200000000"
    assert acme["stake"] == {"min": "1", "max": "1"}
    assert [c["kind"] for c in acme["consideration"]] == ["CASH", "CLOUD_CREDITS"]
    assert acme["consideration"][1]["share"] == {"min": "0.3", "max": "0.4"}
    assert acme["claims"][0]["attribution"] == "COMPANY"
    undated = nodes[2]
    assert undated["announcedOn"] is None
    assert undated["price"] is None


async def test_filters_and_orderings(deals_pair: Pair) -> None:
    cases = {
        "{status: {eq: CANCELLED}}": ["alibaba"],
        '{acquired: {slugs: ["bolt-labs"]}}': ["alibaba", "cobalt-capital"],
        '{date: {gte: "2024-01-01"}}': ["tencent"],
        '{or: [{acquirer: {slugs: ["tencent"]}}, {status: {in: [ANNOUNCED]}}]}': [
            "tencent",
            "cobalt-capital",
        ],
        "{not: {status: {eq: COMPLETED}}}": ["alibaba", "cobalt-capital"],
    }
    for condition, acquirers in cases.items():
        answer = await deals_pair.both(
            f"{{ acquisitions(first: 10, filter: {condition}) "
            "{ nodes { acquirer { slug } } } }"
        )
        assert [n["acquirer"]["slug"] for n in _nodes(answer, "acquisitions")] == acquirers, (
            condition
        )
    answer = await deals_pair.both(
        "{ acquisitions(first: 10, orderBy: [{field: PRICE, direction: DESC}]) "
        "{ nodes { acquirer { slug } } } }"
    )
    # In its own currency: CNY 5bn above USD 1.2bn, the unpriced one last.
    assert [n["acquirer"]["slug"] for n in _nodes(answer, "acquisitions")] == [
        "alibaba",
        "tencent",
        "cobalt-capital",
    ]


async def test_paging_backwards_and_forwards_agree(deals_pair: Pair) -> None:
    first = await deals_pair.both(
        "{ acquisitions(first: 2) { nodes { id } pageInfo { endCursor hasNextPage } } }"
    )
    info = first.data["acquisitions"]["pageInfo"]
    assert info["hasNextPage"] is True
    rest = await deals_pair.both(
        "query($after: String) { acquisitions(first: 2, after: $after) { nodes { id } } }",
        {"after": info["endCursor"]},
    )
    last = await deals_pair.both("{ acquisitions(last: 3) { nodes { id } } }")
    ids = [n["id"] for n in _nodes(first, "acquisitions") + _nodes(rest, "acquisitions")]
    assert ids == [n["id"] for n in _nodes(last, "acquisitions")]


async def test_organizations_list_their_acquisitions_both_ways(deals_pair: Pair) -> None:
    answer = await deals_pair.both(
        """{
          organization(slug: "bolt-labs") {
            acquiredBy(first: 5) { nodes { acquirer { slug } status } totalCount }
            acquisitions(first: 5) { totalCount }
          }
          tencent: organization(slug: "tencent") {
            acquisitions(first: 5, filter: {status: {eq: COMPLETED}}) {
              nodes { acquired { slug } }
            }
          }
        }"""
    )
    bolt = answer.data["organization"]
    assert [n["status"] for n in bolt["acquiredBy"]["nodes"]] == ["CANCELLED", "ANNOUNCED"]
    assert bolt["acquisitions"]["totalCount"] == 0
    assert _nodes(answer, "tencent", "acquisitions") == [{"acquired": {"slug": "acme-ai"}}]


async def test_node_by_id_and_claim_subject(deals_pair: Pair) -> None:
    listed = await deals_pair.both("{ acquisitions(first: 1) { nodes { id } } }")
    pk = _nodes(listed, "acquisitions")[0]["id"]
    answer = await deals_pair.both(
        "query($id: ID!) { node(id: $id) { ... on Acquisition { acquired { slug } "
        "claims { subject { ... on Acquisition { id } } } } } }",
        {"id": pk},
    )
    node = answer.data["node"]
    assert node["acquired"]["slug"] == "acme-ai"
    assert node["claims"] == [{"subject": {"id": pk}}]
