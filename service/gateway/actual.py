"""What an operation actually cost, counted over its answer by the rules that estimated it.

The estimate (``cost``) counts every connection at its full page size; the answer shows how
many nodes each page held. Connections count the items they returned, fields with a declared
cost their weight per item returned (per item asked for, when what they return is not a list:
the work was done for all of them), root fields one each, introspection the size of its answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType

from service.gateway.cost import CONNECTION_SUFFIX, _field_cost, _objects, _Walker, with_defaults


def _flatten(values: Iterable[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list):
            flat.extend(_flatten(value))
        elif value is not None:
            flat.append(value)
    return flat


def _returned_items(connection: Any) -> int:
    """A connection's nodes: the longest list it holds (``edges`` or ``nodes``, by any alias)."""
    if not isinstance(connection, dict):
        return 0
    return max((len(v) for v in connection.values() if isinstance(v, list)), default=0)


class _Counter(_Walker):
    def _select(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        yield from self._fields(selection_set, parent, frozenset())

    def count(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, values: list[Any]
    ) -> None:
        root = parent is self.schema.query_type or parent is self.schema.mutation_type
        for field, owner in self._select(selection_set, parent):
            name = field.name.value
            # Leaves cost nothing: most fields are leaves, so their values are never gathered.
            if field.selection_set is None:
                continue
            key = field.alias.value if field.alias else name
            children = [v.get(key) for v in values if isinstance(v, dict)]
            if name.startswith("__"):
                if root and name in ("__schema", "__type"):
                    self.cost.nodes += sum(_objects(c) for c in children)
                continue
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue
            definition = owner.fields.get(name)
            if definition is None:
                continue
            returned = get_named_type(definition.type)
            declared = _field_cost(definition)
            present = [c for c in children if c is not None]
            if returned.name.endswith(CONNECTION_SUFFIX):
                self.cost.nodes += sum(_returned_items(c) for c in present)
            elif declared is not None:
                asked = declared.count(self._arguments(field))
                items = sum(len(c) if isinstance(c, list) else asked for c in present)
                self.cost.nodes += items * declared.weight
            elif root:
                self.cost.nodes += 1
            if present:
                self.count(field.selection_set, returned, _flatten(present))


def actual_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    data: Any,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None or not isinstance(data, dict):
        return 0
    counter = _Counter(schema, fragments, with_defaults(operation, variables), 1, 1)
    counter.count(operation.selection_set, root, [data])
    return counter.cost.nodes
