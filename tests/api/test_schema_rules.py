"""Rules of the GraphQL contract that hold for the whole schema, so they cannot regress."""

from __future__ import annotations

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from service.repository.registry import NODE_TYPES
from service.schema import build_schema

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def schema() -> GraphQLSchema:
    return build_schema()._schema


def own_types() -> list[GraphQLNamedType]:
    return [
        named
        for name, named in schema().type_map.items()
        if not name.startswith("__") and name not in BUILT_IN
    ]


def test_every_type_has_a_description() -> None:
    types = own_types()
    assert len(types) > 50
    assert [t.name for t in types if not (t.description or "").strip()] == []


def test_every_field_and_input_field_has_a_description() -> None:
    missing: list[str] = []
    for named in own_types():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            missing += [
                f"{named.name}.{name}"
                for name, field in named.fields.items()
                if not (field.description or "").strip()
            ]
    assert missing == []


def test_enum_values_are_upper_snake_case() -> None:
    bad = [
        f"{named.name}.{value}"
        for named in own_types()
        if isinstance(named, GraphQLEnumType)
        for value in named.values
        if not re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", value)
    ]
    assert bad == []


# Fields carrying exact numbers (money, shares, rates, confidence): decimal strings, never
# Int or Float, which would lose their format or precision.
EXACT_NUMBERS = {
    "Money": {"amount", "amountUsd"},
    "UsdRate": {"rate"},
    "ShareRange": {"min", "max"},
    "Claim": {"confidence"},
}


def test_exact_numbers_are_decimal_strings() -> None:
    types = schema().type_map
    found: dict[str, dict[str, str]] = {}
    for type_name, field_names in EXACT_NUMBERS.items():
        graphql_type = types[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        found[type_name] = {
            name: get_named_type(graphql_type.fields[name].type).name for name in field_names
        }
    assert found == {
        type_name: dict.fromkeys(field_names, "String")
        for type_name, field_names in EXACT_NUMBERS.items()
    }
    money_fields = [
        f"{named.name}.{name}"
        for named in own_types()
        if isinstance(named, GraphQLObjectType)
        for name, field in named.fields.items()
        if name in ("amount", "preMoneyValuation", "postMoneyValuation")
        and named.name != "Money"
        and get_named_type(field.type).name != "Money"
    ]
    assert money_fields == []


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_non_null_field_of_a_node_maps_to_a_not_null_column() -> None:
    """A non-null field read from a nullable column would turn a NULL into an error that wipes
    out its parent; the schema and the tables must agree."""
    checked = 0
    nullable: list[str] = []
    for type_name, node_type in NODE_TYPES.items():
        graphql_type = schema().type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        columns = node_type.entity.table.c
        for field_name, field in graphql_type.fields.items():
            if not isinstance(field.type, GraphQLNonNull) or field_name == "id":
                continue
            column_name = snake(field_name)
            # A non-null object field is read through its foreign key.
            candidates = [column_name, f"{column_name}_id"]
            column = next((columns[c] for c in candidates if c in columns), None)
            if column is None:
                continue  # computed (lists, connections), not read from one column
            checked += 1
            if column.nullable:
                nullable.append(f"{type_name}.{field_name} ← {column.table.name}.{column.name}")
    assert nullable == []
    assert checked > 40
