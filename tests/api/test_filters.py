"""Filter inputs: leaves on every list, names in every script, nested and/or/not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import ORGANIZATIONS_BY_NAME, Gql, data_of, error_code, global_id, only_error

ORGANIZATIONS = """query($filter: OrganizationFilter) {
  organizations(first: 100, filter: $filter) { totalCount nodes { slug } }
}"""


async def organizations(gql: Gql, filter: dict[str, Any]) -> list[str]:
    found = data_of(await gql(ORGANIZATIONS, {"filter": filter}))["organizations"]
    slugs = [node["slug"] for node in found["nodes"]]
    assert found["totalCount"] == len(slugs)
    return slugs


async def test_by_kind(gql: Gql) -> None:
    assert await organizations(gql, {"kind": {"eq": "CLOUD_PROVIDER"}}) == [
        "alibaba-cloud",
        "amazon-web-services",
        "microsoft",
    ]
    assert await organizations(gql, {"kind": {"in": ["CHIPMAKER", "ANALYST_FIRM"]}}) == [
        "forrester",
        "nvidia",
    ]


async def test_by_country(gql: Gql) -> None:
    assert await organizations(gql, {"country": {"in": ["JP", "GB"]}}) == [
        "financial-times",
        "softbank",
    ]
    assert len(await organizations(gql, {"country": {"eq": "CN"}})) == 13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alibaba", ["alibaba", "alibaba-cloud"]),
        ("ALIBABA", ["alibaba", "alibaba-cloud"]),
        (" Cloud", ["alibaba-cloud"]),
        ("علي بابا", ["alibaba", "alibaba-cloud"]),
        ("علي بابا كلاود", ["alibaba-cloud"]),
        ("阿里巴巴", ["alibaba"]),
        ("月之暗面", ["moonshot-ai"]),
        ("小红书", ["xiaohongshu"]),
        ("字节跳动", ["bytedance"]),
        ("holding", ["alibaba", "pdd-holdings", "tencent"]),
        ("no such name", []),
    ],
)
async def test_by_name_in_any_script(gql: Gql, text: str, expected: list[str]) -> None:
    assert await organizations(gql, {"name": {"contains": text}}) == expected


async def test_name_equality_ignores_case(gql: Gql) -> None:
    assert await organizations(gql, {"name": {"eq": "alibaba group"}}) == ["alibaba"]
    assert await organizations(gql, {"name": {"in": ["腾讯", "MEITUAN"]}}) == [
        "meituan",
        "tencent",
    ]


async def test_like_wildcards_in_contains_are_literal(gql: Gql) -> None:
    # "r.a" is in Character.AI's names; "r_a" would match it if "_" were a wildcard.
    assert await organizations(gql, {"name": {"contains": "r.a"}}) == ["character-ai"]
    assert await organizations(gql, {"name": {"contains": "r_a"}}) == []
    assert await organizations(gql, {"name": {"contains": "%"}}) == []
    assert await organizations(gql, {"name": {"contains": "a%i"}}) == []
    assert await organizations(gql, {"name": {"contains": "\\"}}) == []


async def test_blank_contains_is_refused(gql: Gql) -> None:
    body = await gql(ORGANIZATIONS, {"filter": {"name": {"contains": "  "}}})
    assert error_code(body) == "BAD_USER_INPUT"


async def test_nested_and_or_not(gql: Gql) -> None:
    assert await organizations(
        gql,
        {
            "or": [{"kind": {"eq": "CHIPMAKER"}}, {"country": {"eq": "JP"}}],
            "not": {"name": {"contains": "soft"}},
        },
    ) == ["nvidia"]
    assert await organizations(
        gql,
        {
            "and": [
                {"kind": {"eq": "INVESTOR"}},
                {"not": {"or": [{"country": {"eq": "CN"}}, {"country": {"eq": "US"}}]}},
            ]
        },
    ) == ["softbank"]
    # An empty `or` matches nothing, an empty `and` everything.
    assert await organizations(gql, {"or": []}) == []
    assert await organizations(gql, {"and": []}) == ORGANIZATIONS_BY_NAME
    assert await organizations(gql, {"not": {"not": {"slug": {"eq": "megvii"}}}}) == ["megvii"]


ROUNDS = """query($filter: FundingRoundFilter) {
  fundingRounds(first: 100, filter: $filter) { totalCount nodes { organization { slug } } }
}"""


async def rounds(gql: Gql, filter: dict[str, Any]) -> list[str]:
    found = data_of(await gql(ROUNDS, {"filter": filter}))["fundingRounds"]
    slugs = [node["organization"]["slug"] for node in found["nodes"]]
    assert found["totalCount"] == len(slugs)
    return slugs


async def test_rounds_by_organization_slug_and_id(gql: Gql) -> None:
    assert await rounds(gql, {"organization": {"slugs": ["moonshot-ai", "minimax"]}}) == [
        "moonshot-ai",
        "minimax",
    ]
    zhipu = global_id("Organization", 4)
    assert await rounds(gql, {"organization": {"ids": [zhipu]}}) == ["zhipu-ai"]
    assert await rounds(gql, {"organization": {"ids": [zhipu], "slugs": ["openai"]}}) == [
        "openai",
        "zhipu-ai",
    ]
    assert await rounds(gql, {"organization": {"slugs": ["alibaba"]}}) == []


async def test_rounds_by_organization_refuses_an_id_of_another_type(gql: Gql) -> None:
    body = await gql(ROUNDS, {"filter": {"organization": {"ids": [global_id("Product", 1)]}}})
    assert error_code(body) == "BAD_USER_INPUT"


async def test_rounds_by_investor(gql: Gql) -> None:
    assert await rounds(gql, {"investor": {"slugs": ["alibaba"]}}) == [
        "moonshot-ai",
        "01-ai",
        "minimax",
        "zhipu-ai",
    ]
    assert await rounds(gql, {"investor": {"slugs": ["microsoft"]}}) == ["openai"]
    assert await rounds(gql, {"investor": {"slugs": ["tencent"]}}) == []


async def test_rounds_by_announcement_date(gql: Gql) -> None:
    assert await rounds(gql, {"announced": {"gte": "2024-01-01", "lte": "2024-12-31"}}) == [
        "moonshot-ai"
    ]
    assert await rounds(gql, {"announced": {"gte": "2024-02-01"}}) == ["moonshot-ai"]
    # A MONTH-precision date is stored as the month's first day.
    assert await rounds(gql, {"announced": {"gte": "2024-02-02"}}) == []
    assert await rounds(gql, {"announced": {"lte": "2023-12-31"}}) == []


async def test_rounds_by_type_status_and_consideration(gql: Gql) -> None:
    assert len(await rounds(gql, {"roundType": {"eq": "UNDISCLOSED"}})) == 5
    assert await rounds(gql, {"roundType": {"in": ["SEED", "SERIES_A"]}}) == []
    assert await rounds(gql, {"status": {"eq": "ANNOUNCED"}}) == ["moonshot-ai"]
    assert await rounds(gql, {"considerationKind": {"eq": "CLOUD_CREDITS"}}) == ["moonshot-ai"]
    assert await rounds(gql, {"considerationKind": {"eq": "CASH"}}) == ["moonshot-ai", "openai"]
    assert await rounds(gql, {"considerationKind": {"eq": "TRAFFIC_PROMOTION"}}) == []


async def test_rounds_filter_on_a_child_connection(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "moonshot-ai") {
             dated: fundingRounds(filter: {announced: {gte: "2024-01-01"}}) { totalCount }
             older: fundingRounds(filter: {announced: {lte: "2023-01-01"}}) { totalCount } } }"""
    )
    assert data_of(body)["organization"] == {"dated": {"totalCount": 1}, "older": {"totalCount": 0}}


INVESTMENTS = """query($filter: InvestmentFilter) {
  investments(first: 100, filter: $filter) {
    totalCount nodes { investor { slug } organization { slug } consideration { kind } }
  }
}"""


async def investments(gql: Gql, filter: dict[str, Any]) -> list[tuple[str, str]]:
    found = data_of(await gql(INVESTMENTS, {"filter": filter}))["investments"]
    pairs = [(n["investor"]["slug"], n["organization"]["slug"]) for n in found["nodes"]]
    assert found["totalCount"] == len(pairs)
    return pairs


async def test_investments_by_investor_and_investee(gql: Gql) -> None:
    assert await investments(gql, {"investor": {"slugs": ["microsoft"]}}) == [
        ("microsoft", "openai")
    ]
    assert len(await investments(gql, {"investor": {"ids": [global_id("Organization", 1)]}})) == 4
    assert await investments(gql, {"organization": {"slugs": ["minimax"]}}) == [
        ("alibaba", "minimax")
    ]


async def test_investments_by_round(gql: Gql) -> None:
    moonshot_round = global_id("FundingRound", 1)
    assert await investments(gql, {"round": [moonshot_round]}) == [("alibaba", "moonshot-ai")]
    assert await investments(gql, {"round": []}) == []
    # Inside `or` branches as well as at the top.
    assert await investments(
        gql, {"or": [{"round": [moonshot_round]}, {"investor": {"slugs": ["microsoft"]}}]}
    ) == [("alibaba", "moonshot-ai"), ("microsoft", "openai")]
    body = await gql(INVESTMENTS, {"filter": {"round": [global_id("Organization", 1)]}})
    assert error_code(body) == "BAD_USER_INPUT"


async def test_investments_by_lead(gql: Gql) -> None:
    assert await investments(gql, {"isLead": True}) == [("alibaba", "moonshot-ai")]
    assert len(await investments(gql, {"isLead": False})) == 4


async def test_investments_paid_partly_in_non_cash(gql: Gql) -> None:
    non_cash = ["CLOUD_CREDITS", "TRAFFIC_PROMOTION", "SERVICES", "OTHER"]
    body = await gql(INVESTMENTS, {"filter": {"considerationKind": {"in": non_cash}}})
    found = data_of(body)["investments"]
    assert found["totalCount"] == 1
    [investment] = found["nodes"]
    assert (investment["investor"]["slug"], investment["organization"]["slug"]) == (
        "alibaba",
        "moonshot-ai",
    )
    assert [c["kind"] for c in investment["consideration"]] == ["CASH", "CLOUD_CREDITS"]
    assert any(c["kind"] in non_cash for c in investment["consideration"])
    assert await investments(
        gql, {"considerationKind": {"eq": "CASH"}, "not": {"considerationKind": {"in": non_cash}}}
    ) == [("microsoft", "openai")]


async def test_other_lists_filters(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{
              people(filter: {name: {eq: "Charlie Dai"}}) { nodes { slug } }
              products(filter: {organization: {slugs: ["openai"]}}) { nodes { slug } }
              events(filter: {organization: {slugs: ["nvidia"]}}) { nodes { slug } }
              dated: events(filter: {occurred: {gte: "2022-01-01"}}) { nodes { slug } }
              sources(filter: {publisher: {eq: "Financial Times"}}) { totalCount }
              none: sources(filter: {kind: {eq: FILING}}) { totalCount }
            }"""
        )
    )
    assert data == {
        "people": {"nodes": [{"slug": "charlie-dai"}]},
        "products": {"nodes": [{"slug": "chatgpt"}]},
        "events": {"nodes": [{"slug": "us-advanced-chip-export-controls"}]},
        "dated": {"nodes": [{"slug": "alibaba-cloud-ipo-cancelled"}]},
        "sources": {"totalCount": 1},
        "none": {"totalCount": 0},
    }


async def test_text_with_a_nul_character_is_refused_as_user_input(gql: Gql) -> None:
    # PostgreSQL cannot hold U+0000 in text; that is the caller's input, not a server fault:
    # the request is refused before any field runs.
    body = await gql(
        """query($text: String!) {
             all: organizations(first: 100) { nodes { investments { nodes { id } } } }
             named: organizations(filter: {name: {contains: $text}}) { totalCount }
             bySlug: organization(slug: $text) { id }
           }""",
        {"text": "ali\u0000baba"},
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert "NUL" in only_error(body)["message"]
    assert "data" not in body
