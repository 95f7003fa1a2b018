"""Random queries over the schema answer identically through the compiler and the resolvers.

Hypothesis draws selections of every compiled type (aliases, inline fragments, nesting,
connections with page sizes, orderings, filters and directions, `node` by ID, variables with
`@include`/`@skip`); each query runs through both paths on the article and generated datasets.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType, get_named_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.compiler.fields import TYPES
from service.compiler.roots import ROOT
from service.repository.registry import NODE_TYPES
from service.schema import build_schema
from tests.compiler.conftest import Pair

SCHEMA = build_schema()._schema
MAX_DEPTH = 3
PAGE_SIZES = st.sampled_from([1, 2, 3, 5])

FILTERS = {
    "OrganizationFilter": [
        "{kind: {eq: INVESTOR}}",
        '{country: {in: ["CN", "US"]}}',
        '{name: {contains: "a"}}',
        '{or: [{slug: {eq: "alibaba"}}, {kind: {eq: STARTUP}}]}',
        '{not: {country: {eq: "CN"}}}',
    ],
    "FundingRoundFilter": [
        '{announced: {gte: "2022-01-01"}}',
        "{considerationKind: {in: [CLOUD_CREDITS, SERVICES]}}",
        '{investor: {slugs: ["alibaba", "tencent"]}}',
        "{or: [{roundType: {eq: SERIES_A}}, {status: {eq: CLOSED}}]}",
    ],
    "InvestmentFilter": [
        "{isLead: true}",
        "{considerationKind: {eq: CASH}}",
        "{not: {isLead: true}}",
        '{investor: {slugs: ["alibaba"]}}',
    ],
    "PersonFilter": ['{name: {in: ["Eddie Wu"]}}'],
    "ProductFilter": ['{organization: {slugs: ["moonshot-ai"]}}'],
    "EventFilter": ['{occurred: {lte: "2024-12-31"}}'],
    "SourceFilter": ["{kind: {in: [NEWS_ARTICLE]}}"],
}

# Fields a value type has as a Node of its own (a name's ID and versions), which the compiler
# leaves to the resolvers; test_fallback covers them.
NODE_FIELDS = {"id", "version", "recordedAt", "history"}

SLUGS = ["alibaba", "moonshot-ai", "openai", "tencent", "no-such-org"]
IDS = {
    t: [base64.b64encode(f"{t}:{n}".encode()).decode() for n in (1, 2, 40)]
    for t in ("Organization", "FundingRound", "Investment", "Claim", "Source", "Event")
}


class Query:
    """Builds one document; the draws decide every choice."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.aliases = 0
        self.variables: dict[str, Any] = {}
        self.definitions: list[str] = []

    def alias(self) -> str:
        if not self.draw(st.booleans()):
            return ""
        self.aliases += 1
        return f"a{self.aliases}: "

    def directive(self) -> str:
        if self.draw(st.integers(0, 5)) != 0:
            return ""
        name = f"v{len(self.variables)}"
        self.variables[name] = self.draw(st.booleans())
        self.definitions.append(f"${name}: Boolean!")
        return f" @{self.draw(st.sampled_from(['include', 'skip']))}(if: ${name})"

    def page_args(self, field: Any) -> list[str]:
        args = []
        names = set(field.args)
        if "first" in names:
            size = self.draw(PAGE_SIZES)
            kind = self.draw(st.sampled_from(["first", "first", "last", "var", "none"]))
            if kind == "var":
                name = f"v{len(self.variables)}"
                self.variables[name] = size
                self.definitions.append(f"${name}: Int")
                args.append(f"first: ${name}")
            elif kind != "none":
                args.append(f"{kind}: {size}")
        if "orderBy" in names and self.draw(st.booleans()):
            order_type = get_named_type(field.args["orderBy"].type)
            enum = get_named_type(order_type.fields["field"].type)
            assert isinstance(enum, GraphQLEnumType)
            value = self.draw(st.sampled_from(sorted(enum.values)))
            direction = self.draw(st.sampled_from(["ASC", "DESC"]))
            args.append(f"orderBy: [{{field: {value}, direction: {direction}}}]")
        if "filter" in names and self.draw(st.booleans()):
            filters = FILTERS.get(get_named_type(field.args["filter"].type).name)
            if filters:
                args.append(f"filter: {self.draw(st.sampled_from(filters))}")
        if "direction" in names and self.draw(st.booleans()):
            args.append(f"direction: {self.draw(st.sampled_from(['OUTGOING', 'INCOMING']))}")
        return args

    def selection(self, type_name: str, depth: int) -> str:
        gtype = SCHEMA.get_type(type_name)
        assert isinstance(gtype, GraphQLObjectType)
        names = [
            n
            for n in gtype.fields
            if (n in TYPES[type_name].fields if type_name in TYPES else n not in NODE_FIELDS)
        ]
        if depth >= MAX_DEPTH:
            names = [n for n in names if _is_leaf(gtype.fields[n].type)] or ["__typename"]
        chosen = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        parts = [self.field(gtype, name, depth) for name in chosen if name != "__typename"]
        if "__typename" in chosen or self.draw(st.integers(0, 4)) == 0:
            parts.append("__typename")
        if self.draw(st.integers(0, 3)) == 0:
            return f"... on {type_name} {{ {' '.join(parts)} }}"
        return " ".join(parts)

    def field(self, gtype: GraphQLObjectType, name: str, depth: int) -> str:
        field = gtype.fields[name]
        returned = get_named_type(field.type)
        args = self.page_args(field)
        text = self.alias() + name + (f"({', '.join(args)})" if args else "") + self.directive()
        if isinstance(returned, GraphQLScalarType | GraphQLEnumType):
            return text
        if returned.name == "Node":
            concrete = self.draw(st.sampled_from(sorted(NODE_TYPES)))
            inner = self.selection(concrete, depth + 1)
            return f"{text} {{ __typename id ... on {concrete} {{ {inner} }} }}"
        return f"{text} {{ {self.selection(returned.name, depth + 1)} }}"

    def root(self) -> str:
        query = SCHEMA.query_type
        assert query is not None
        names = sorted(n for n in ROOT if n not in ("nodes",))
        chosen = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        parts = []
        for name in chosen:
            field = query.fields[name]
            if name in ("organization", "person", "fund"):
                args = [f'slug: "{self.draw(st.sampled_from(SLUGS))}"']
            elif name in ("node", "fundingRound"):
                types = sorted(IDS) if name == "node" else ["FundingRound"]
                args = [
                    f'id: "{self.draw(st.sampled_from(IDS[self.draw(st.sampled_from(types))]))}"'
                ]
            else:
                args = self.page_args(field)
            returned = get_named_type(field.type)
            if returned.name == "Node":
                concrete = self.draw(st.sampled_from(sorted(NODE_TYPES)))
                inner = f"__typename id ... on {concrete} {{ {self.selection(concrete, 1)} }}"
            else:
                inner = self.selection(returned.name, 1)
            arguments = f"({', '.join(args)})" if args else ""
            parts.append(f"{self.alias()}{name}{arguments}{self.directive()} {{ {inner} }}")
        head = f"query Generated({', '.join(self.definitions)})" if self.definitions else "query"
        return f"{head} {{ {' '.join(parts)} }}"


def _is_leaf(gtype: Any) -> bool:
    return isinstance(get_named_type(gtype), GraphQLScalarType | GraphQLEnumType)


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    query = Query(draw)
    text = query.root()
    return text, query.variables


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=queries())
async def test_generated_queries_answer_alike(pair: Pair, case: tuple[str, dict[str, Any]]) -> None:
    text, variables = case
    answer = await pair.both(text, variables)
    assert "errors" not in json.loads(answer.text), text
