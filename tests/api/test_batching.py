"""No N+1: a nested query runs a fixed number of statements, whatever the number of parents."""

from __future__ import annotations

from tests.api.support import ORGANIZATIONS_BY_NAME, Gql, data_of

NESTED = """query($first: Int!, $slugs: [String!]) {
  organizations(first: $first, filter: {slug: {in: $slugs}}) {
    totalCount
    nodes {
      slug
      fundingRounds(first: 10) {
        totalCount
        nodes {
          investments(first: 10) {
            nodes {
              investor { slug }
              consideration { kind creditType { slug } }
              claims { factRef source { publisher } }
            }
          }
        }
      }
    }
  }
}"""

# One statement per level and relation: organizations, their count, rounds, the rounds'
# counts, investments, investors, consideration, credit types, claims, sources.
STATEMENTS = 10


async def run(
    gql: Gql, log: list[str], first: int, slugs: list[str], query: str = NESTED
) -> tuple[int, int]:
    log.clear()
    data = data_of(await gql(query, {"first": first, "slugs": slugs}))
    investments = [
        investment
        for org in data["organizations"]["nodes"]
        for round_ in org["fundingRounds"]["nodes"]
        for investment in round_["investments"]["nodes"]
    ]
    return len(log), len(investments)


async def test_statement_count_does_not_grow_with_the_parents(
    gql: Gql, statement_log: list[str]
) -> None:
    one, one_investments = await run(gql, statement_log, 1, ["moonshot-ai"])
    many, many_investments = await run(gql, statement_log, 100, ORGANIZATIONS_BY_NAME)
    assert (one_investments, many_investments) == (1, 5)
    assert one == many == STATEMENTS


async def test_first_one_and_first_twenty_cost_the_same(gql: Gql, statement_log: list[str]) -> None:
    # 01-ai alone, then the first twenty by name: all the raisers but Zhipu AI. 01-ai's
    # investment has no consideration, so there are no credit types to ask for here.
    query = NESTED.replace("creditType { slug }", "")
    one, _ = await run(gql, statement_log, 1, ORGANIZATIONS_BY_NAME, query)
    twenty, investments = await run(gql, statement_log, 20, ORGANIZATIONS_BY_NAME, query)
    assert investments == 4
    assert one == twenty == STATEMENTS - 1
