"""Relay connections: keyset cursors forward and backward, page arguments, orderings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import ORGANIZATIONS_BY_NAME, Gql, data_of, error_code, only_error

PAGE = """query($first: Int, $last: Int, $after: String, $before: String,
                $orderBy: [OrganizationOrder!], $filter: OrganizationFilter) {
  organizations(first: $first, last: $last, after: $after, before: $before,
                orderBy: $orderBy, filter: $filter) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def organizations(gql: Gql, **variables: Any) -> dict[str, Any]:
    connection: dict[str, Any] = data_of(await gql(PAGE, variables))["organizations"]
    return connection


def slugs(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["slug"] for edge in connection["edges"]]


async def test_empty_result(gql: Gql) -> None:
    page = await organizations(gql, filter={"country": {"eq": "ZZ"}})
    assert page == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


async def test_exact_last_page_has_no_next_page(gql: Gql) -> None:
    page = await organizations(gql, first=23)
    assert slugs(page) == ORGANIZATIONS_BY_NAME
    assert page["pageInfo"]["hasNextPage"] is False
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    one_short = await organizations(gql, first=22)
    assert one_short["pageInfo"]["hasNextPage"] is True
    rest = await organizations(gql, first=1, after=one_short["pageInfo"]["endCursor"])
    assert slugs(rest) == ["zhipu-ai"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True
    after_end = await organizations(gql, first=5, after=rest["pageInfo"]["endCursor"])
    assert after_end["edges"] == []
    assert after_end["pageInfo"]["hasNextPage"] is False


async def walk_forward(gql: Gql, size: int, **variables: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    after = None
    while True:
        page = await organizations(gql, first=size, after=after, **variables)
        pages.append(slugs(page))
        assert page["totalCount"] == 23
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def walk_backward(gql: Gql, size: int, **variables: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    before = None
    while True:
        page = await organizations(gql, last=size, before=before, **variables)
        pages.append(slugs(page))
        if not page["pageInfo"]["hasPreviousPage"]:
            return pages
        before = page["pageInfo"]["startCursor"]


async def test_walking_forward_two_by_two_gives_the_full_list(gql: Gql) -> None:
    pages = await walk_forward(gql, 2)
    assert len(pages) == 12
    assert all(len(page) == 2 for page in pages[:-1])
    assert pages[-1] == ["zhipu-ai"]
    assert [slug for page in pages for slug in page] == ORGANIZATIONS_BY_NAME


async def test_walking_backward_gives_the_reversed_walk(gql: Gql) -> None:
    pages = await walk_backward(gql, 2)
    assert pages[0] == ["xiaohongshu", "zhipu-ai"]
    assert pages[-1] == ["01-ai"]
    assert [slug for page in reversed(pages) for slug in page] == ORGANIZATIONS_BY_NAME


async def test_backward_page_info(gql: Gql) -> None:
    last = await organizations(gql, last=3)
    assert slugs(last) == ["tiger-global", "xiaohongshu", "zhipu-ai"]
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert last["pageInfo"]["hasNextPage"] is False
    before = await organizations(gql, last=3, before=last["pageInfo"]["startCursor"])
    assert slugs(before) == ["sensetime", "softbank", "tencent"]
    assert before["pageInfo"]["hasNextPage"] is True
    # Forward from a cursor taken backward: the cursors do not care which way they were made.
    forward = await organizations(gql, first=2, after=before["pageInfo"]["endCursor"])
    assert slugs(forward) == ["tiger-global", "xiaohongshu"]


async def test_between_two_cursors(gql: Gql) -> None:
    page = await organizations(gql, first=23)
    cursors = {edge["node"]["slug"]: edge["cursor"] for edge in page["edges"]}
    between = await organizations(
        gql, first=10, after=cursors["alibaba"], before=cursors["amazon-web-services"]
    )
    assert slugs(between) == ["alibaba-cloud", "amazon"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 2, "last": 2}, "Pass `first` or `last`, not both."),
        ({"first": 0}, "`first` must be between 1 and 100; got 0."),
        ({"first": 101}, "`first` must be between 1 and 100; got 101."),
        ({"first": -1}, "`first` must be between 1 and 100; got -1."),
        ({"last": 0}, "`last` must be between 1 and 100; got 0."),
        ({"last": 101}, "`last` must be between 1 and 100; got 101."),
    ],
)
async def test_page_sizes_out_of_range_are_refused(
    gql: Gql, statement_log: list[str], variables: dict[str, Any], message: str
) -> None:
    body = await gql(PAGE, variables)
    error = only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == message
    assert "data" not in body
    assert statement_log == []


async def test_page_sizes_written_inline_are_refused_too(gql: Gql) -> None:
    for argument in ("first: 0", "first: 101", "first: -1", "last: 101", "first: 1, last: 1"):
        body = await gql(f"{{ organizations({argument}) {{ nodes {{ slug }} }} }}")
        assert error_code(body) == "BAD_USER_INPUT", argument
    nested = await gql(
        '{ organization(slug: "alibaba") { investments(first: 500) { totalCount } } }'
    )
    assert error_code(nested) == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "cursor", ["not a cursor", "", "WyJOQU1FOkEiXQ", "eyJhIjogMX0", "WyJOQU1FOkEiLDEsMl0"]
)
async def test_malformed_cursors_are_refused(gql: Gql, cursor: str) -> None:
    for direction in ("after", "before"):
        body = await gql(PAGE, {"first" if direction == "after" else "last": 2, direction: cursor})
        assert error_code(body) == "BAD_USER_INPUT", (direction, cursor)
        assert only_error(body)["message"].startswith("Invalid cursor")


async def test_a_cursor_from_another_ordering_is_refused(gql: Gql) -> None:
    by_name = await organizations(gql, first=2)
    cursor = by_name["pageInfo"]["endCursor"]
    for order in (
        [{"field": "SLUG", "direction": "ASC"}],
        [{"field": "NAME", "direction": "DESC"}],
    ):
        body = await gql(PAGE, {"first": 2, "after": cursor, "orderBy": order})
        assert error_code(body) == "BAD_USER_INPUT", order
        assert "different orderBy" in only_error(body)["message"]
    # The default ordering and its explicit spelling are one ordering.
    explicit = await organizations(
        gql, first=2, after=cursor, orderBy=[{"field": "NAME", "direction": "ASC"}]
    )
    assert slugs(explicit) == ["alibaba-cloud", "amazon"]


async def test_a_child_connection_refuses_a_bad_cursor(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "alibaba") { investments(after: "nonsense") { totalCount } } }"""
    )
    assert error_code(body) == "BAD_USER_INPUT"


async def test_total_count_follows_the_filter_not_the_page(gql: Gql) -> None:
    page = await organizations(gql, first=1, filter={"country": {"eq": "US"}})
    assert page["totalCount"] == 8
    assert slugs(page) == ["amazon"]
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([{"field": "NAME", "direction": "ASC"}], ORGANIZATIONS_BY_NAME),
        ([{"field": "NAME", "direction": "DESC"}], ORGANIZATIONS_BY_NAME[::-1]),
        ([{"field": "SLUG", "direction": "ASC"}], sorted(ORGANIZATIONS_BY_NAME)),
        ([{"field": "SLUG", "direction": "DESC"}], sorted(ORGANIZATIONS_BY_NAME, reverse=True)),
    ],
)
async def test_orderings_walk_with_their_cursors(
    gql: Gql, order: list[dict[str, str]], expected: list[str]
) -> None:
    forward = await walk_forward(gql, 5, orderBy=order)
    assert [slug for page in forward for slug in page] == expected
    backward = await walk_backward(gql, 4, orderBy=order)
    assert [slug for page in reversed(backward) for slug in page] == expected


ROUNDS = """query($first: Int, $after: String, $orderBy: [FundingRoundOrder!]) {
  fundingRounds(first: $first, after: $after, orderBy: $orderBy) {
    nodes { organization { slug } } pageInfo { hasNextPage endCursor }
  }
}"""


async def walk_rounds(gql: Gql, order: list[dict[str, str]]) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = data_of(await gql(ROUNDS, {"first": 2, "after": after, "orderBy": order}))
        rounds = page["fundingRounds"]
        seen += [n["organization"]["slug"] for n in rounds["nodes"]]
        if not rounds["pageInfo"]["hasNextPage"]:
            return seen
        after = rounds["pageInfo"]["endCursor"]


async def test_rounds_by_announcement_date_both_ways(gql: Gql) -> None:
    # Undated rounds sort as the earliest; ties go by row, in the direction asked.
    assert await walk_rounds(gql, [{"field": "ANNOUNCED_ON", "direction": "DESC"}]) == [
        "moonshot-ai",
        "openai",
        "01-ai",
        "minimax",
        "zhipu-ai",
    ]
    assert await walk_rounds(gql, [{"field": "ANNOUNCED_ON", "direction": "ASC"}]) == [
        "zhipu-ai",
        "minimax",
        "01-ai",
        "openai",
        "moonshot-ai",
    ]
    assert await walk_rounds(gql, [{"field": "AMOUNT", "direction": "DESC"}]) == [
        "moonshot-ai",
        "openai",
        "01-ai",
        "minimax",
        "zhipu-ai",
    ]


INVESTMENTS = """query($first: Int, $after: String, $orderBy: [InvestmentOrder!]) {
  investments(first: $first, after: $after, orderBy: $orderBy) {
    nodes { isLead organization { slug } } pageInfo { hasNextPage endCursor }
  }
}"""


async def walk_investments(gql: Gql, order: list[dict[str, str]]) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []
    after = None
    while True:
        page = data_of(await gql(INVESTMENTS, {"first": 2, "after": after, "orderBy": order}))
        investments = page["investments"]
        seen += [(n["organization"]["slug"], n["isLead"]) for n in investments["nodes"]]
        if not investments["pageInfo"]["hasNextPage"]:
            return seen
        after = investments["pageInfo"]["endCursor"]


async def test_investments_by_lead_and_amount(gql: Gql) -> None:
    assert await walk_investments(gql, [{"field": "IS_LEAD", "direction": "ASC"}]) == [
        ("zhipu-ai", False),
        ("minimax", False),
        ("01-ai", False),
        ("openai", False),
        ("moonshot-ai", True),
    ]
    assert await walk_investments(gql, [{"field": "IS_LEAD", "direction": "DESC"}]) == [
        ("moonshot-ai", True),
        ("openai", False),
        ("01-ai", False),
        ("minimax", False),
        ("zhipu-ai", False),
    ]
    assert await walk_investments(
        gql, [{"field": "AMOUNT", "direction": "DESC"}, {"field": "IS_LEAD", "direction": "ASC"}]
    ) == [
        ("moonshot-ai", True),
        ("zhipu-ai", False),
        ("minimax", False),
        ("01-ai", False),
        ("openai", False),
    ]


async def test_child_connection_pages_forward_and_backward(gql: Gql) -> None:
    query = """query($first: Int, $last: Int, $after: String, $before: String) {
      organization(slug: "alibaba") {
        investments(first: $first, last: $last, after: $after, before: $before) {
          totalCount nodes { organization { slug } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        }
      }
    }"""

    async def page(**variables: Any) -> dict[str, Any]:
        found: dict[str, Any] = data_of(await gql(query, variables))["organization"]["investments"]
        return found

    def orgs(connection: dict[str, Any]) -> list[str]:
        return [n["organization"]["slug"] for n in connection["nodes"]]

    first = await page(first=3)
    assert orgs(first) == ["moonshot-ai", "01-ai", "minimax"]
    assert first["totalCount"] == 4
    assert first["pageInfo"]["hasNextPage"] is True
    second = await page(first=3, after=first["pageInfo"]["endCursor"])
    assert orgs(second) == ["zhipu-ai"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    last = await page(last=2)
    assert orgs(last) == ["minimax", "zhipu-ai"]
    assert last["pageInfo"]["hasPreviousPage"] is True
    earlier = await page(last=2, before=last["pageInfo"]["startCursor"])
    assert orgs(earlier) == ["moonshot-ai", "01-ai"]
    assert earlier["pageInfo"]["hasPreviousPage"] is False
    assert earlier["pageInfo"]["hasNextPage"] is True


async def test_undated_events_page_like_dated_ones(gql: Gql) -> None:
    query = """query($after: String) { events(first: 2, after: $after) {
                 nodes { slug } pageInfo { hasNextPage endCursor } } }"""
    whole = data_of(await gql("{ events(first: 100) { nodes { slug } } }"))["events"]["nodes"]
    walked: list[dict[str, str]] = []
    after = None
    while True:
        events = data_of(await gql(query, {"after": after}))["events"]
        walked += events["nodes"]
        if not events["pageInfo"]["hasNextPage"]:
            break
        after = events["pageInfo"]["endCursor"]
    assert len(whole) == 6
    assert walked == whole
