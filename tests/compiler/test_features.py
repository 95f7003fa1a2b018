"""Each read feature, compared between the compiled path and the resolvers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.compiler.conftest import Pair

ORG_FIELDS = """
  id slug name kinds country website description __typename
  foundedOn { date precision __typename }
  names { value language script kind isPrimary }
  parent { slug }
"""

ROUND_FIELDS = """
  id roundType status description
  announcedOn { date precision }
  amount { amount currency estimated amountUsd usdRate { rate rateOn source } }
  preMoneyValuation { amount currency amountUsd }
  postMoneyValuation { amount currency amountUsd usdRate { rate rateOn } }
  organization { slug }
"""


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def test_aliases_fragments_and_typename(pair: Pair) -> None:
    await pair.both(
        """
        query Q {
          __typename
          first: organizations(first: 3) { ...Page }
          again: organizations(first: 3) { nodes { ... on Organization { name slug } } }
          organizations(first: 2, orderBy: [{field: SLUG, direction: DESC}]) {
            nodes { name } nodes { slug label: name } totalCount __typename
          }
        }
        fragment Page on OrganizationConnection {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
          edges { cursor __typename node { ...Org } }
        }
        fragment Org on Organization { """
        + ORG_FIELDS
        + "}",
        operation_name="Q",
    )


@pytest.mark.parametrize("skip", [True, False])
async def test_include_and_skip(pair: Pair, skip: bool) -> None:
    await pair.both(
        """query($skip: Boolean!, $slug: String!) {
          organization(slug: $slug) {
            name @skip(if: $skip)
            slug @include(if: $skip)
            fundingRounds(first: 5) @include(if: $skip) { totalCount }
            ... on Organization @skip(if: $skip) { country }
          }
        }""",
        {"skip": skip, "slug": "alibaba"},
    )


async def test_rounds_with_money_and_nested_investments(pair: Pair) -> None:
    await pair.both(
        "{ fundingRounds(first: 25) { totalCount nodes {"
        + ROUND_FIELDS
        + """ investments(first: 7) {
              totalCount
              pageInfo { hasNextPage endCursor }
              edges { cursor node {
                id isLead stakeEstimated description
                amount { amount currency amountUsd }
                stake { min max }
                investor { slug } organization { slug } round { id }
                consideration {
                  id kind estimated escrow recognizedAsRevenueByProvider spendRestriction
                  description amount { amount currency amountUsd } share { min max }
                  provider { slug } spendRestrictedTo { slug }
                  creditType { slug unit considerationKind }
                  creditProgram { slug provider { slug } }
                  claims { id confidence }
                }
                claims { id factRef confidence subject { __typename id } }
              } }
            } } } }"""
    )


@pytest.mark.parametrize(
    "order",
    [
        [{"field": "ANNOUNCED_ON", "direction": "DESC"}],
        [{"field": "ANNOUNCED_ON", "direction": "ASC"}],
        [{"field": "AMOUNT", "direction": "DESC"}],
        [{"field": "CREATED_AT", "direction": "ASC"}],
        [{"field": "AMOUNT", "direction": "ASC"}, {"field": "ANNOUNCED_ON", "direction": "DESC"}],
    ],
)
async def test_paging_forward_and_back_through_rounds(pair: Pair, order: list[Any]) -> None:
    """Walks pages with cursors taken from the compiled answers (identical to the resolvers')."""
    query = """query($first: Int, $last: Int, $after: String, $before: String,
                     $order: [FundingRoundOrder!]) {
      fundingRounds(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
        edges { cursor node { id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }"""
    variables: dict[str, Any] = {"first": 4, "order": order}
    for _ in range(3):
        page = (await pair.both(query, variables)).data["fundingRounds"]
        variables = {"first": 4, "after": page["pageInfo"]["endCursor"], "order": order}
    for _ in range(2):
        back = {"last": 3, "before": page["pageInfo"]["startCursor"], "order": order}
        page = (await pair.both(query, back)).data["fundingRounds"]
    await pair.both(query, {"last": 5, "order": order})


@pytest.mark.parametrize(
    "order",
    [None, [{"field": "IS_LEAD", "direction": "ASC"}], [{"field": "AMOUNT", "direction": "DESC"}]],
)
async def test_paging_nested_investments(pair: Pair, order: Any) -> None:
    query = """query($after: String, $order: [InvestmentOrder!]) {
      organizations(first: 10, filter: {kind: {eq: INVESTOR}}) {
        nodes { slug investments(first: 2, after: $after, orderBy: $order) {
          totalCount edges { cursor node { id isLead } } pageInfo { endCursor hasNextPage }
        } }
      }
    }"""
    first = (await pair.both(query, {"order": order})).data
    cursors = [
        o["investments"]["pageInfo"]["endCursor"]
        for o in first["organizations"]["nodes"]
        if o["investments"]["pageInfo"]["endCursor"]
    ]
    for cursor in cursors[:3]:
        await pair.both(query, {"after": cursor, "order": order})


@pytest.mark.parametrize(
    "filter_",
    [
        {"kind": {"in": ["INVESTOR", "CLOUD_PROVIDER"]}},
        {"country": {"eq": "CN"}},
        {"name": {"contains": "ali"}},
        {"name": {"eq": "阿里巴巴"}},
        {"or": [{"slug": {"eq": "alibaba"}}, {"not": {"country": {"in": ["CN", "US"]}}}]},
        {"and": [{"kind": {"eq": "STARTUP"}}, {"slug": {"in": ["moonshot-ai", "openai"]}}]},
        {"slug": {"eq": ""}},
    ],
)
async def test_organization_filters(pair: Pair, filter_: dict[str, Any]) -> None:
    query = """query($filter: OrganizationFilter) {
      organizations(first: 20, filter: $filter) { totalCount nodes { slug } }
      investors(first: 5, filter: $filter) { totalCount nodes { slug } }
      startups(last: 5, filter: $filter) { totalCount nodes { slug } }
    }"""
    await pair.both(query, {"filter": filter_})


@pytest.mark.parametrize(
    "filter_",
    [
        {"announced": {"gte": "2023-01-01", "lte": "2024-12-31"}},
        {"considerationKind": {"in": ["CLOUD_CREDITS", "TRAFFIC_PROMOTION"]}},
        {"investor": {"slugs": ["alibaba", "tencent"]}},
        {"organization": {"ids": [gid("Organization", 1)], "slugs": ["openai"]}},
        {"roundType": {"eq": "SERIES_B"}, "status": {"in": ["CLOSED", "ANNOUNCED"]}},
        {"not": {"announced": {"gte": "2020-01-01"}}},
    ],
)
async def test_round_filters(pair: Pair, filter_: dict[str, Any]) -> None:
    query = """query($filter: FundingRoundFilter) {
      fundingRounds(first: 30, filter: $filter) {
        totalCount nodes { id announcedOn { date } amount { amount } }
      }
    }"""
    await pair.both(query, {"filter": filter_})


@pytest.mark.parametrize(
    "filter_",
    [
        {"isLead": True},
        {"isLead": False, "considerationKind": {"eq": "CASH"}},
        {"round": [gid("FundingRound", 1), gid("FundingRound", 2)]},
        {"or": [{"investor": {"slugs": ["alibaba"]}}, {"organization": {"slugs": ["openai"]}}]},
    ],
)
async def test_investment_filters(pair: Pair, filter_: dict[str, Any]) -> None:
    query = """query($filter: InvestmentFilter) {
      investments(first: 30, filter: $filter) { totalCount nodes { id isLead } }
    }"""
    await pair.both(query, {"filter": filter_})


async def test_every_root_list(pair: Pair) -> None:
    await pair.both(
        """{
          creditTypes { totalCount nodes { id slug name considerationKind unit description
            programs(first: 3) { nodes { slug } } } }
          creditPrograms { nodes { id slug name inExchangeFor terms startedOn { date precision }
            endedOn { date } provider { slug } creditType { slug } claims { id } } }
          people(first: 10, filter: {name: {in: ["Eddie Wu", "Nobody"]}}) { nodes { slug } }
          p2: people(last: 10) { nodes { id slug name nativeName description
            roles { id kind title startedOn { date precision } endedOn { date }
              person { slug } organization { slug } claims { id } } } }
          products(first: 10) { nodes { id slug name category launchedOn { date }
            description organization { slug }
            alternativeTo { market product { slug } }
            localAlternatives { market product { slug alternativeTo { product { slug } } } }
            claims { id } } }
          events(first: 10) { nodes { id slug kind title description occurredOn { date precision }
            participants { role organization { slug } } claims { id } } }
          sources(first: 5) { nodes { id slug kind publisher title language url
            publishedOn { date } description claims(last: 3) { totalCount nodes { id } } } }
        }"""
    )


async def test_organization_children(pair: Pair) -> None:
    children = """
      subsidiaries(first: 5) { totalCount nodes { slug } }
      products(first: 5) { nodes { slug } }
      people(first: 5) { totalCount nodes { id title person { name } } }
      r1: relationships(first: 5) { totalCount nodes { id kind startedOn { date }
        endedOn { date } description source { slug } target { slug } claims { id } } }
      r2: relationships(first: 5, direction: OUTGOING, kinds: [SUBSIDIARY_OF, PARTNER_OF]) {
        totalCount nodes { id } }
      r3: relationships(last: 2, direction: INCOMING) { nodes { id } }
      computeAssets(first: 5) { nodes { id chipModel quantity quantityEstimated clusterSize
        regions acquiredOn { date precision } description owner { slug } chipVendor { slug }
        claims { id } } }
      events(first: 5) { totalCount nodes { slug } }
      creditPrograms(first: 5) { nodes { slug } }
      claims { id statement quote attribution attributedTo stance person { slug }
        organization { slug } source { slug } }
    """
    await pair.both("{ organizations(first: 40) { nodes { slug " + children + " } } }")


async def test_nodes_and_node(pair: Pair) -> None:
    ids = [
        gid(t, n) for t in ("Organization", "FundingRound", "Investment", "Claim") for n in (1, 3)
    ]
    ids += [gid("ConsiderationComponent", 2), gid("PersonRole", 1), gid("Organization", 999999)]
    query = """query($ids: [ID!]!, $id: ID!) {
      nodes(ids: $ids) {
        __typename id
        ... on Organization { slug }
        ... on FundingRound { roundType amount { amountUsd } }
        ... on Investment { isLead amount { amount amountUsd } }
        ... on ConsiderationComponent { kind amount { amountUsd } }
        ... on Claim { statement subject { id } }
        ... on PersonRole { title }
      }
      node(id: $id) { id ... on Organization { name } }
      fundingRound(id: "ROUND_ID") { id }
      organization(slug: "no-such-slug") { id }
      person(slug: "eddie-wu") { id slug roles { title } }
    }""".replace("ROUND_ID", gid("FundingRound", 1))
    for one in ids:
        await pair.both(query, {"ids": ids, "id": one})


async def test_node_with_the_id_of_nothing_is_null(pair: Pair) -> None:
    answer = await pair.both('{ node(id: "' + gid("Event", 10**9) + '") { id } }')
    assert answer.data == {"node": None}


async def test_strings_that_need_escaping_in_cursors(pair: Pair) -> None:
    """Cursors carry names: those with quotes, backslashes or scripts must encode alike."""
    await pair.both(
        """{ organizations(first: 50, orderBy: [{field: NAME}]) { edges { cursor } }
             people(first: 50) { edges { cursor } } }"""
    )


def test_cursor_text_matches_python_for_awkward_strings() -> None:
    """The SQL cursor's JSON escaping is that of json.dumps (checked in full in the DB tests)."""
    assert json.dumps(['a"b\\c\n\u0001é月'], separators=(",", ":"), ensure_ascii=False) == (
        '["a\\"b\\\\c\\n\\u0001é月"]'
    )


async def test_a_connection_asked_only_for_its_typename(pair: Pair) -> None:
    await pair.both("{ creditPrograms { __typename } organizations(first: 2) { totalCount } }")


async def test_page_info_asked_only_for_its_typename(pair: Pair) -> None:
    await pair.both("{ creditPrograms(first: 1) { pageInfo { __typename } __typename } }")


async def test_counts_of_a_parents_events(pair: Pair) -> None:
    # Events hang off organizations through their participants: each count must stay
    # correlated to its own organization (01.AI takes part in none).
    answer = await pair.both(
        '{ organizations(filter: {slug: {in: ["01-ai", "alibaba", "nvidia"]}}) {'
        " nodes { slug events { totalCount } } } }"
    )
    counts = {n["slug"]: n["events"]["totalCount"] for n in answer.data["organizations"]["nodes"]}
    assert counts["01-ai"] == 0
    assert counts["alibaba"] > 0
