"""What an operation may cost, decided from the document before any resolver or SQL runs.

Depth: the deepest chain of nested fields (introspection aside). Nodes: GitHub's rule — every
connection can return up to its page size (``first``/``last``, or the default) times the page
sizes of the connections above it — extended to everything else that returns many things or
works hard for one answer: fields declaring a ``FieldCost`` (plain lists by their bound,
analytics by their weight per item), every root field and alias at least one node, and
introspection by the size of what it returns. The sum must stay under the limit.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    introspection_from_schema,
    value_from_ast_untyped,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from service.config import Settings
from service.gateway.errors import (
    BAD_USER_INPUT,
    QUERY_TOO_COMPLEX,
    QUERY_TOO_DEEP,
    Refusal,
)
from service.schema.costs import COST, FieldCost

CONNECTION_SUFFIX = "Connection"
# Costs remembered per operation of a cached document, and the longest variables' values kept.
_MEMO_ENTRIES = 32
_MEMO_SIGNATURE_BYTES = 512


@dataclass
class Cost:
    depth: int = 0
    nodes: int = 0
    bad_page: str | None = None


def _objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0


@cache
def introspection_sizes(schema: GraphQLSchema) -> tuple[int, int]:
    """(objects in the whole ``__schema`` answer, objects in the largest ``__type`` answer)."""
    introspected = introspection_from_schema(schema)
    types = introspected["__schema"]["types"]
    return _objects(introspected), max((_objects(t) for t in types), default=1)


def _field_cost(definition: Any) -> FieldCost | None:
    strawberry_field = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(strawberry_field, StrawberryField):
        declared = strawberry_field.metadata.get(COST)
        if isinstance(declared, FieldCost):
            return declared
    return None


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page: int,
        max_page: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = dict(variables)
        self.default_page = default_page
        self.max_page = max_page
        self.cost = Cost()
        # The variables whose values the cost depends on (page sizes, analytics' counts).
        self.consulted: set[str] = set()

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                yield from self._fields(selection.selection_set, target or parent, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                yield from self._fields(fragment.selection_set, target or parent, seen | {name})

    def _arguments(self, field: FieldNode) -> dict[str, Any]:
        arguments = {}
        for argument in field.arguments or ():
            self.consulted.update(_variables_in(argument.value))
            arguments[argument.name.value] = value_from_ast_untyped(argument.value, self.variables)
        return arguments

    def _page_size(self, arguments: Mapping[str, Any]) -> int:
        given = [isinstance(arguments.get(n), int) for n in ("first", "last")]
        if all(given):
            self.cost.bad_page = self.cost.bad_page or "Pass `first` or `last`, not both."
        size = None
        for name in ("first", "last"):
            value = arguments.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                if not 1 <= value <= self.max_page and self.cost.bad_page is None:
                    self.cost.bad_page = (
                        f"`{name}` must be between 1 and {self.max_page}; got {value}."
                    )
                size = max(size or 0, min(max(value, 1), self.max_page))
        return size if size is not None else self.default_page

    def walk(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, multiplier: int, depth: int
    ) -> None:
        self.cost.depth = max(self.cost.depth, depth)
        root = depth == 1
        for field, owner in self._fields(selection_set, parent, frozenset()):
            name = field.name.value
            if name in ("__schema", "__type") and root:
                whole, one_type = introspection_sizes(self.schema)
                self.cost.nodes += whole if name == "__schema" else one_type
                continue
            if name.startswith("__") or field.selection_set is None:
                continue
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue
            definition = owner.fields.get(name)
            if definition is None:
                continue
            returned = get_named_type(definition.type)
            declared = _field_cost(definition)
            size = multiplier
            if returned.name.endswith(CONNECTION_SUFFIX):
                size = multiplier * self._page_size(self._arguments(field))
                self.cost.nodes += size
            elif declared is not None:
                items = declared.count(self._arguments(field))
                self.cost.nodes += multiplier * items * declared.weight
                size = multiplier * items
            elif root:
                self.cost.nodes += 1
            self.walk(field.selection_set, returned, size, depth + 1)


def _variables_in(value: ValueNode) -> Iterator[str]:
    if isinstance(value, VariableNode):
        yield value.name.value
    elif isinstance(value, ListValueNode):
        for element in value.values:
            yield from _variables_in(element)
    elif isinstance(value, ObjectValueNode):
        for entry in value.fields:
            yield from _variables_in(entry.value)


@dataclass
class CostMemo:
    """One operation's costs by the values of the variables they depend on: the walk visits
    the same fields whatever the values, so which variables it reads is known after one."""

    consulted: frozenset[str]
    costs: dict[str, Cost] = dataclasses.field(default_factory=dict)


def _signature(consulted: frozenset[str], variables: Mapping[str, Any]) -> str | None:
    if not consulted:
        return ""
    try:
        text = json.dumps([variables.get(name) for name in sorted(consulted)], sort_keys=True)
    except (TypeError, ValueError):
        return None
    return text if len(text) <= _MEMO_SIGNATURE_BYTES else None


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_page: int,
    max_page: int,
    memo: dict[Any, Any] | None = None,
) -> Cost:
    """The operation's cost; remembered in ``memo`` (a cached document's) by the values of the
    variables it depends on, a few sets of values per operation."""
    values = with_defaults(operation, variables)
    known: CostMemo | None = None if memo is None else memo.get(("cost", id(operation)))
    signature = None if known is None else _signature(known.consulted, values)
    if known is not None and signature is not None and signature in known.costs:
        return replace(known.costs[signature])
    root = schema.get_root_type(operation.operation)
    walker = _Walker(schema, fragments, values, default_page, max_page)
    if root is not None:
        walker.walk(operation.selection_set, root, 1, 1)
    if memo is not None:
        if known is None:
            known = memo[("cost", id(operation))] = CostMemo(frozenset(walker.consulted))
            signature = _signature(known.consulted, values)
        if signature is not None and len(known.costs) < _MEMO_ENTRIES:
            known.costs[signature] = replace(walker.cost)
    return walker.cost


def with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def check_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    settings: Settings,
    memo: dict[Any, Any] | None = None,
) -> Cost:
    """The operation's cost, or the refusal of an operation over a limit."""
    cost = measure(
        schema,
        operation,
        fragments,
        variables,
        settings.default_page_size,
        settings.max_page_size,
        memo,
    )
    if cost.bad_page is not None:
        raise Refusal(BAD_USER_INPUT, cost.bad_page)
    if cost.depth > settings.max_query_depth:
        raise Refusal(
            QUERY_TOO_DEEP,
            f"Query depth {cost.depth} exceeds the limit of {settings.max_query_depth}.",
            depth=cost.depth,
            limit=settings.max_query_depth,
        )
    if cost.nodes > settings.max_query_nodes:
        raise Refusal(
            QUERY_TOO_COMPLEX,
            f"Query could return up to {cost.nodes} nodes, over the limit of "
            f"{settings.max_query_nodes} (each connection counts its page size times the page "
            "sizes above it; lists and analytics count their declared cost).",
            nodes=cost.nodes,
            limit=settings.max_query_nodes,
        )
    return cost
