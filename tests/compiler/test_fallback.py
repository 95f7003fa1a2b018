"""What the compiler leaves to the resolvers, listed so that the list only changes on purpose.

A field added to the schema without a compiled twin falls back, and so fails
``test_fields_without_a_compiled_twin`` until it is listed below (or compiled).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type

from service.compiler.fields import TYPES
from service.compiler.roots import ROOT
from service.schema import build_schema
from tests.compiler.conftest import Pair

# Root fields served by the resolvers only.
FALLBACK_ROOT_FIELDS: set[str] = {
    "search",
    # The change feed reads the audit log (service/repository/changes.py).
    "changes",
    # The analytics run their own SQL (service/analytics).
    "coInvestors",
    "considerationMix",
    "dependencies",
    "fundingTimeSeries",
    "investmentPath",
    "investorLeagueTables",
    "portfolio",
    "roundTripExposure",
    # Grouped totals: one statement of their own (service/analytics/aggregates.py).
    "fundingRoundsAggregate",
    "investmentsAggregate",
    # Webhook management reads its own tables (service/webhooks/store.py).
    "webhookEndpoints",
    "webhookDeadLetters",
}

# Object fields served by the resolvers only, as "Type.field" ("Type.*": the whole type).
FALLBACK_FIELDS: set[str] = {
    "SearchHit.*",
    "Change.*", "ChangeKey.*", "ChangePage.*",
    "WebhookEndpoint.*", "WebhookDeadLetter.*",
    *(
        f"{name}.*"
        for name in (
            "CoInvestor", "CoInvestors", "ConsiderationKindTotal", "ConsiderationMix",
            "DependencyLine", "Exposure", "FundingPeriod", "FundingSeries", "Holding",
            "InvestmentPath", "LeagueEntry", "LeaguePeriod", "PathStep", "PlatformDependency",
            "Portfolio", "RoundTripExposure", "RoundTripLine", "StartupDependencies",
            "UsdAmountRange", "AggregateGroup", "AggregateGroups", "AggregatePeriod",
        )
    ),
}  # fmt: skip
# A portfolio holding's valuation is part of the portfolio analytic's answer.
FALLBACK_FIELDS |= {"HoldingValuation.*"}

# Versioned records: their earlier versions come from the resolvers.
VERSIONED = (
    "Claim", "ComputeAsset", "ConsiderationComponent", "CreditProgram", "CreditType", "Event",
    "FundingRound", "Investment", "Organization", "Person", "PersonRole", "Product",
    "Relationship", "Source",
    # The records of an investment's life.
    "Acquisition", "AcquisitionComponent", "Listing", "Valuation", "Fund", "FundCommitment",
    "Exit", "InvestmentPerson",
)  # fmt: skip
FALLBACK_FIELDS |= {f"{name}.history" for name in VERSIONED}
FALLBACK_FIELDS |= {f"{name}Version.*" for name in VERSIONED}
# A fund link is read only through `node(id:)` and mutation payloads; its versions too.
FALLBACK_FIELDS |= {"FundInvestment.history"}
# A name is compiled inside its organization; its own versions are the resolvers'.
FALLBACK_FIELDS |= {"Name.history", "NameVersion.*"}

# Types the compiler builds only as parts of others (no fields of their own in the catalog).
VALUE_TYPES = {
    "PageInfo",
    "PartialDate",
    "Money",
    "UsdRate",
    "ShareRange",
}


def _object_types() -> dict[str, GraphQLObjectType]:
    schema = build_schema()._schema
    return {
        name: gtype
        for name, gtype in schema.type_map.items()
        if isinstance(gtype, GraphQLObjectType) and not name.startswith("__")
    }


def test_root_fields_without_a_compiled_twin() -> None:
    query = _object_types()["Query"]
    assert set(query.fields) - set(ROOT) == FALLBACK_ROOT_FIELDS


def _readable() -> set[str]:
    """Object types a query can reach (mutation payloads are not the compiler's business)."""
    types = _object_types()
    seen, todo = {"Query"}, ["Query"]
    while todo:
        current = types.get(todo.pop())
        if current is None:  # scalars, enums and interfaces have no fields to follow here
            continue
        for field in current.fields.values():
            target = get_named_type(field.type).name
            if target not in seen:
                seen.add(target)
                todo.append(target)
    schema = build_schema()._schema
    for interface in list(seen):  # every implementation of a reachable interface is reachable
        gtype = schema.get_type(interface)
        if gtype is not None and not isinstance(gtype, GraphQLObjectType):
            for implementation in types.values():
                if any(i.name == interface for i in implementation.interfaces):
                    seen.add(implementation.name)
    return seen & set(types)


def test_fields_without_a_compiled_twin() -> None:
    missing = set()
    types = _object_types()
    for name in _readable():
        gtype = types[name]
        if name == "Query" or name in VALUE_TYPES:
            continue
        if name.endswith(("Connection", "Edge")):
            continue
        if name not in TYPES:
            missing.add(f"{name}.*")
            continue
        missing |= {f"{name}.{field}" for field in gtype.fields if field not in TYPES[name].fields}
    assert missing == FALLBACK_FIELDS


def _id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


# Requests that the resolvers serve, each with why; the answers must still be theirs exactly.
FALLS_BACK: list[tuple[str, str, dict[str, Any] | None]] = [
    ("introspection", "{ __schema { queryType { name } } }", None),
    ("type introspection", '{ __type(name: "Organization") { name } }', None),
    ("search", '{ search(query: "ali", first: 3) { score } }', None),
    (
        "a name's own versions",
        '{ organization(slug: "alibaba") { names { id value version history { version } } } }',
        None,
    ),
    ("bad cursor", '{ organizations(after: "nope") { nodes { slug } } }', None),
    (
        "cursor of another ordering",
        "query($c: String) { organizations(first: 2, after: $c, orderBy: [{field: SLUG}]) "
        "{ nodes { slug } } }",
        {"c": "WyJOQU1FOkEsSUQ6QSIsIjAxLkFJIiwxXQ"},
    ),
    ("malformed id", '{ node(id: "not-an-id") { id } }', None),
    ("id of an unknown type", f'{{ node(id: "{_id("Nothing", 1)}") {{ id }} }}', None),
    (
        "round id of another type",
        f'{{ fundingRound(id: "{_id("Investment", 1)}") {{ id }} }}',
        None,
    ),
    (
        "blank name filter",
        '{ organizations(filter: {name: {contains: "  "}}) { totalCount } }',
        None,
    ),
    ("too many ids", "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101}),
]


@pytest.mark.parametrize(("why", "query", "variables"), FALLS_BACK, ids=[c[0] for c in FALLS_BACK])
async def test_falls_back_with_the_resolvers_answer(
    article_pair: Pair, why: str, query: str, variables: dict[str, Any] | None
) -> None:
    await article_pair.both(query, variables, executor="resolvers")


# Requests the gateway refuses before either executor runs, alike with the compiler on or off.
REFUSED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("syntax error", "{ organizations(first: 1) { nodes { slug }", None),
    ("unknown field", "{ organizations { nodes { nope } } }", None),
    ("first and last", "{ organizations(first: 1, last: 1) { totalCount } }", None),
    (
        "first too large",
        "query($n: Int) { organizations(first: $n) { nodes { slug } } }",
        {"n": 101},
    ),
    ("first zero", "{ fundingRounds(first: 0) { nodes { id } } }", None),
    ("missing variable", "query($slug: String!) { organization(slug: $slug) { id } }", None),
    (
        "too deep",
        '{ organization(slug: "alibaba") {' + " parent {" * 15 + " slug" + " }" * 16,
        None,
    ),
    ("mutation", "mutation { nothing }", None),
]


@pytest.mark.parametrize(("why", "query", "variables"), REFUSED, ids=[c[0] for c in REFUSED])
async def test_refused_alike_before_either_executor(
    article_pair: Pair, why: str, query: str, variables: dict[str, Any] | None
) -> None:
    answer = await article_pair.both(query, variables, executor="none")
    assert "data" not in answer.data_or_errors


async def test_as_of_reads_are_compiled(article_pair: Pair) -> None:
    """The gateway reads `asOf` from the parsed operation and runs the statement in an as-of
    transaction, so the compiled path serves recorded-time reads too."""
    await article_pair.both(
        'query($at: DateTime) { organization(slug: "alibaba", asOf: $at) { name } }',
        {"at": "2020-01-01T00:00:00+00:00"},
        executor="compiled",
    )


async def test_a_get_request_is_compiled(article_pair: Pair) -> None:
    response = await article_pair.compiled.get(
        "/graphql", params={"query": "{ organizations(first: 1) { totalCount } }"}
    )
    assert response.status_code == 200
    assert response.headers["x-stakegraph-executor"] == "compiled"
    assert response.json()["data"] == {"organizations": {"totalCount": 23}}


async def test_the_compiler_switched_off_serves_everything_through_the_resolvers(
    article_pair: Pair,
) -> None:
    answer = await article_pair.ask(
        article_pair.resolvers, "{ organizations(first: 1) { totalCount } }", None, None
    )
    assert answer.executor == "resolvers"
