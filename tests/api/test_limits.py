"""Query limits: refused before any SQL runs, with a coded error."""

from __future__ import annotations

from typing import Any

from tests.api.support import Gql, data_of, only_error


def nested_parents(levels: int) -> str:
    """`organization` then `levels` nested `parent` fields: depth 2 + levels."""
    return (
        '{ organization(slug: "alibaba-cloud") { '
        + "parent { " * levels
        + "slug"
        + " }" * levels
        + " } }"
    )


async def test_a_query_at_the_depth_limit_runs(gql: Gql, statement_log: list[str]) -> None:
    data = data_of(await gql(nested_parents(13)))
    # Alibaba Cloud's parent is Alibaba, which has none.
    assert data == {"organization": {"parent": {"parent": None}}}
    assert statement_log


async def test_a_query_past_the_depth_limit_is_refused(gql: Gql, statement_log: list[str]) -> None:
    body = await gql(nested_parents(14))
    error = only_error(body)
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "depth": 16, "limit": 15}
    assert "data" not in body
    assert statement_log == []


async def test_depth_counts_through_fragments(gql: Gql, statement_log: list[str]) -> None:
    body = await gql(
        """query { organization(slug: "alibaba") { ...Deep } }
           fragment Deep on Organization {
             parent { parent { parent { parent { parent { parent { parent {
               ... on Organization { parent { parent { parent { parent { parent { parent {
                 parent { slug } } } } } } } } } } } } } } }
           }"""
    )
    assert only_error(body)["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert statement_log == []


WIDE = """query($orgs: Int, $rounds: Int, $investments: Int) {
  organizations(first: $orgs) {
    nodes {
      fundingRounds(first: $rounds) {
        nodes { investments(first: $investments) { nodes { id } } }
      }
    }
  }
}"""


async def test_connections_multiplying_past_the_node_limit_are_refused(
    gql: Gql, statement_log: list[str]
) -> None:
    body = await gql(
        """{ organizations(first: 100) { nodes { fundingRounds(first: 100) { nodes {
             investments(first: 100) { nodes { id } } } } } } }"""
    )
    error = only_error(body)
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "nodes": 100 + 100 * 100 + 100 * 100 * 100,
        "limit": 50_000,
    }
    assert "data" not in body
    assert statement_log == []


async def test_variables_are_honoured_in_the_count(gql: Gql, statement_log: list[str]) -> None:
    async def run(**variables: Any) -> dict[str, Any]:
        statement_log.clear()
        return await gql(WIDE, variables)

    # 100 + 10,000 + 40,000 = 50,100: just over.
    over = await run(orgs=100, rounds=100, investments=4)
    assert only_error(over)["extensions"]["nodes"] == 50_100
    assert only_error(over)["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert statement_log == []
    # 100 + 10,000 + 30,000 = 40,100: under, and it runs.
    under = await run(orgs=100, rounds=100, investments=3)
    assert len(data_of(under)["organizations"]["nodes"]) == 23
    assert statement_log
    # Unset variables count as the default page (20): 20 + 400 + 8,000.
    defaults = await run()
    assert len(data_of(defaults)["organizations"]["nodes"]) == 20


async def test_variable_defaults_are_honoured_in_the_count(
    gql: Gql, statement_log: list[str]
) -> None:
    body = await gql(
        """query($n: Int = 100) { organizations(first: $n) { nodes {
             fundingRounds(first: $n) { nodes { investments(first: $n) { totalCount } } } } } }"""
    )
    assert only_error(body)["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert statement_log == []


async def test_last_counts_like_first(gql: Gql, statement_log: list[str]) -> None:
    body = await gql(
        """{ organizations(last: 100) { nodes { fundingRounds(last: 100) { nodes {
             investments(last: 100) { totalCount } } } } } }"""
    )
    assert only_error(body)["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert statement_log == []


async def test_a_page_size_variable_out_of_range_is_refused_before_sql(
    gql: Gql, statement_log: list[str]
) -> None:
    body = await gql(WIDE, {"orgs": 1, "rounds": 1, "investments": 1000})
    error = only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"] == "`first` must be between 1 and 100; got 1000."
    assert statement_log == []


async def test_introspection_takes_no_connection(gql: Gql, statement_log: list[str]) -> None:
    data = data_of(await gql("{ __schema { queryType { name } } }"))
    assert data == {"__schema": {"queryType": {"name": "Query"}}}
    assert statement_log == []
