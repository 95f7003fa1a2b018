"""The cost remembered per cached document equals the cost measured afresh, for every named
operation and any values of its variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from service.config import Settings
from service.gateway.cost import measure
from service.schema import build_schema

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
SCHEMA = build_schema(Settings())._schema
DOCUMENTS = [parse(path.read_text()) for path in sorted(OPERATIONS.glob("*.graphql"))]


def _named(node: TypeNode) -> tuple[str, bool]:
    if isinstance(node, NonNullTypeNode):
        return _named(node.type)
    if isinstance(node, ListTypeNode):
        return _named(node.type)[0], True
    assert isinstance(node, NamedTypeNode)
    return node.name.value, False


def _values(operation: OperationDefinitionNode) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for definition in operation.variable_definitions or ():
        name, listed = _named(definition.type)
        scalar: st.SearchStrategy[Any] = (
            st.integers(min_value=-3, max_value=150) if name == "Int" else st.just("x")
        )
        fields[definition.variable.name.value] = st.lists(scalar, max_size=3) if listed else scalar
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[int, list[dict[str, Any]]]:
    index = draw(st.integers(min_value=0, max_value=len(DOCUMENTS) - 1))
    operation = _operation(index)
    return index, draw(st.lists(_values(operation), min_size=1, max_size=6))


def _operation(index: int) -> OperationDefinitionNode:
    return next(d for d in DOCUMENTS[index].definitions if isinstance(d, OperationDefinitionNode))


@settings(max_examples=60, deadline=None)
@given(_cases())
def test_a_remembered_cost_equals_a_fresh_one(case: tuple[int, list[dict[str, Any]]]) -> None:
    index, assignments = case
    operation = _operation(index)
    fragments = {
        d.name.value: d
        for d in DOCUMENTS[index].definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    memo: dict[Any, Any] = {}
    for variables in assignments + assignments:
        remembered = measure(SCHEMA, operation, fragments, variables, 20, 100, memo)
        fresh = measure(SCHEMA, operation, fragments, variables, 20, 100)
        assert remembered == fresh


def test_page_size_variables_are_part_of_what_is_remembered() -> None:
    document = parse(
        "query($n: Int, $slug: String!) { organization(slug: $slug) {"
        " fundingRounds(first: $n) { nodes { id } } } }"
    )
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    memo: dict[Any, Any] = {}
    small = measure(SCHEMA, operation, {}, {"n": 2, "slug": "a"}, 20, 100, memo)
    large = measure(SCHEMA, operation, {}, {"n": 90, "slug": "a"}, 20, 100, memo)
    other_slug = measure(SCHEMA, operation, {}, {"n": 90, "slug": "b"}, 20, 100, memo)
    assert (small.nodes, large.nodes, other_slug.nodes) == (3, 91, 91)
    (entry,) = memo.values()
    # The slug does not change the cost, so it is not part of the key.
    assert entry.consulted == frozenset({"n"})
    assert len(entry.costs) == 2
