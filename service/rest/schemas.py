"""JSON Schemas (OpenAPI 3.1 dialect) of GraphQL values: what an operation's selection returns,
and what an input type accepts.

A response schema is derived from the selection itself, not the whole type: exactly the keys
selected (aliases included) are required and no others are allowed, nullable fields admit
``null``, and an abstract type selected through inline fragments is ``anyOf`` one object per
possible type, told apart by ``__typename``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
)

Schema = dict[str, Any]
COMPONENTS = "#/components/schemas/"

_SCALARS: dict[str, Schema] = {
    "String": {"type": "string"},
    "ID": {"type": "string"},
    "Int": {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "Date": {"type": "string", "format": "date"},
    "DateTime": {"type": "string", "format": "date-time"},
}


def scalar_schema(t: GraphQLNamedType) -> Schema:
    if isinstance(t, GraphQLEnumType):
        return {"type": "string", "enum": list(t.values)}
    if isinstance(t, GraphQLScalarType):
        return dict(_SCALARS.get(t.name, {"type": "string"}))
    raise TypeError(f"{t} is not a scalar or enum")


def nullable(schema: Schema) -> Schema:
    if set(schema) <= {"type", "format", "enum", "minimum", "maximum"} and "type" in schema:
        widened = dict(schema)
        widened["type"] = [schema["type"], "null"]
        if "enum" in schema:
            widened["enum"] = [*schema["enum"], None]
        return widened
    return {"anyOf": [schema, {"type": "null"}]}


class OutputSchemas:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def of(self, t: GraphQLOutputType, selection: SelectionSetNode | None) -> Schema:
        if isinstance(t, GraphQLNonNull):
            return self._non_null(t.of_type, selection)
        return nullable(self._non_null(t, selection))

    def _non_null(self, t: GraphQLOutputType, selection: SelectionSetNode | None) -> Schema:
        if isinstance(t, GraphQLList):
            return {"type": "array", "items": self.of(t.of_type, selection)}
        if isinstance(t, GraphQLScalarType | GraphQLEnumType):
            return scalar_schema(t)
        assert selection is not None  # validation requires a selection on composite types
        if isinstance(t, GraphQLObjectType):
            return self._object(t, selection)
        assert isinstance(t, GraphQLInterfaceType | GraphQLUnionType)
        possible = self.schema.get_possible_types(t)
        return {"anyOf": [self._object(p, selection) for p in possible]}

    def _applies(self, fragment: InlineFragmentNode, t: GraphQLObjectType) -> bool:
        if fragment.type_condition is None:
            return True
        condition = self.schema.get_type(fragment.type_condition.name.value)
        if condition is t:
            return True
        if isinstance(condition, GraphQLInterfaceType | GraphQLUnionType):
            return t in self.schema.get_possible_types(condition)
        return False

    def _fields(self, t: GraphQLObjectType, selection: SelectionSetNode) -> list[FieldNode]:
        found: list[FieldNode] = []
        for node in selection.selections:
            if isinstance(node, FieldNode):
                found.append(node)
            elif isinstance(node, InlineFragmentNode) and self._applies(node, t):
                found.extend(self._fields(t, node.selection_set))
        return found

    def _object(self, t: GraphQLObjectType, selection: SelectionSetNode) -> Schema:
        properties: dict[str, Schema] = {}
        for node in self._fields(t, selection):
            key = (node.alias or node.name).value
            if node.name.value == "__typename":
                properties[key] = {"type": "string", "const": t.name}
                continue
            field = t.fields[node.name.value]
            properties[key] = self.of(field.type, node.selection_set)
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }


class InputSchemas:
    """Input types as JSON Schemas; input objects become named components, so that recursive
    filters (``and``/``or``/``not``) refer to themselves."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

    def of(self, t: GraphQLInputType) -> Schema:
        if isinstance(t, GraphQLNonNull):
            return self._non_null(t.of_type)
        return nullable(self._non_null(t))

    def _non_null(self, t: GraphQLInputType) -> Schema:
        if isinstance(t, GraphQLList):
            return {"type": "array", "items": self.of(t.of_type)}
        if isinstance(t, GraphQLInputObjectType):
            if t.name not in self.components:
                self.components[t.name] = {}  # placed first: recursion finds the reference
                self.components[t.name] = self._object(t)
            return {"$ref": COMPONENTS + t.name}
        assert isinstance(t, GraphQLScalarType | GraphQLEnumType)
        return scalar_schema(t)

    def _object(self, t: GraphQLInputObjectType) -> Schema:
        properties = {name: self.of(field.type) for name, field in t.fields.items()}
        required = [
            name
            for name, field in t.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
        if t.description:
            schema["description"] = t.description
        if required:
            schema["required"] = required
        return schema
