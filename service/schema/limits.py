"""Query cost limits, decided before any resolver or SQL runs.

Depth: the deepest chain of nested fields. Nodes: GitHub's rule — every connection can return
up to its page size (``first``/``last``, or the default) times the page sizes of the
connections above it; the sum over all connections of the operation must stay under the limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.extensions import SchemaExtension

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass
class Cost:
    depth: int = 0
    nodes: int = 0
    bad_page: str | None = None


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
        self.variables = variables
        self.default_page = default_page
        self.max_page = max_page
        self.cost = Cost()

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

    def _page_size(self, field: FieldNode) -> int:
        size = None
        for argument in field.arguments or ():
            if argument.name.value in ("first", "last"):
                value = value_from_ast_untyped(argument.value, dict(self.variables))
                if isinstance(value, int) and not isinstance(value, bool):
                    if not 1 <= value <= self.max_page and self.cost.bad_page is None:
                        self.cost.bad_page = (
                            f"`{argument.name.value}` must be between 1 and {self.max_page}; "
                            f"got {value}."
                        )
                    size = max(size or 0, min(max(value, 1), self.max_page))
        return size if size is not None else self.default_page

    def walk(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, multiplier: int, depth: int
    ) -> None:
        self.cost.depth = max(self.cost.depth, depth)
        for field, owner in self._fields(selection_set, parent, frozenset()):
            name = field.name.value
            if name.startswith("__") or field.selection_set is None:
                self.cost.depth = max(self.cost.depth, depth)
                continue
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue
            definition = owner.fields.get(name)
            if definition is None:
                continue
            returned = get_named_type(definition.type)
            size = multiplier
            if returned.name.endswith("Connection"):
                size = multiplier * self._page_size(field)
                self.cost.nodes += size
            self.walk(field.selection_set, returned, size, depth + 1)


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_page: int,
    max_page: int,
) -> Cost:
    root = schema.get_root_type(operation.operation)
    walker = _Walker(
        schema, fragments, _with_defaults(operation, variables), default_page, max_page
    )
    if root is not None:
        walker.walk(operation.selection_set, root, 1, 1)
    return walker.cost


def _with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


class QueryLimits(SchemaExtension):
    """Refuses over-deep or over-wide operations with a coded error before execution."""

    max_depth = 15
    max_nodes = 50_000
    default_page = 20
    max_page = 100

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            error = self._check(document.definitions, context.operation_name, context.variables)
            if error is not None:
                context.result = ExecutionResult(data=None, errors=[error])
        yield

    def _check(
        self, definitions: Any, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> GraphQLError | None:
        operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        chosen = [
            op for op in operations if operation_name is None or
            (op.name is not None and op.name.value == operation_name)
        ]  # fmt: skip
        if len(chosen) != 1:
            return None  # graphql-core reports the missing or ambiguous operation itself
        schema = self.execution_context.schema._schema
        cost = measure(
            schema, chosen[0], fragments, variables or {}, self.default_page, self.max_page
        )
        if cost.bad_page is not None:
            return GraphQLError(cost.bad_page, extensions={"code": "BAD_USER_INPUT"})
        if cost.depth > self.max_depth:
            return GraphQLError(
                f"Query depth {cost.depth} exceeds the limit of {self.max_depth}.",
                extensions={"code": QUERY_TOO_DEEP, "depth": cost.depth, "limit": self.max_depth},
            )
        if cost.nodes > self.max_nodes:
            return GraphQLError(
                f"Query could return up to {cost.nodes} nodes, over the limit of "
                f"{self.max_nodes} (each connection counts its page size times the page sizes "
                "above it).",
                extensions={"code": QUERY_TOO_COMPLEX, "nodes": cost.nodes,
                            "limit": self.max_nodes},
            )  # fmt: skip
        return None


def query_limits(
    *, max_depth: int, max_nodes: int, default_page: int, max_page: int
) -> type[QueryLimits]:
    """The extension class with the configured limits."""
    return type(
        "ConfiguredQueryLimits",
        (QueryLimits,),
        {
            "max_depth": max_depth,
            "max_nodes": max_nodes,
            "default_page": default_page,
            "max_page": max_page,
        },
    )
