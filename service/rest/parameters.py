"""From a route's path and query string to its operation's variables, one rule per variable type.

* A path segment ``{slug}`` is the variable ``$slug``.
* A scalar or enum variable is the query parameter of its name (``limit=5``, ``interval=YEAR``),
  a list of them that parameter repeated (``kinds=PERSON&kinds=ORGANIZATION``).
* An input object is one parameter per field, dotted (``period.gte=2024-01-01``).
* ``$filter`` is the whole filter tree as JSON (``filter={"or": […]}``) and/or flat leaf
  parameters, AND-ed (``country=CN&kind=INVESTOR``): a leaf with ``eq``/``in`` takes one value
  (``eq``) or the parameter repeated (``in``); an organization match takes slugs
  (``investor=alibaba``); any leaf's own fields are dotted (``announced.gte=…``,
  ``name.contains=…``). Flat leaves and JSON together are ``{"and": [json, leaves]}``.
* ``$sort`` (a list of ``{field, direction}``) is ``sort=-amount,name``: terms in order, ``-``
  for descending, field names in snake or camel case.

Only the text is converted here (to integers, booleans, lists); the values are checked by the
gateway as the variables of a GraphQL request are, so both answer bad input alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    type_from_ast,
    value_from_ast_untyped,
)

from service.gateway.body import decode_json
from service.gateway.errors import Refusal
from service.rest.operations import RestOperation

FILTER, SORT = "filter", "sort"
LOGICAL = frozenset({"and", "or", "not"})
# Where an organization match is given by slug: the shorthand of a leaf without `eq`.
SLUGS = "slugs"


class ParameterError(ValueError):
    """A parameter the route does not take, or text that is not a value of its type."""


class Form(StrEnum):
    ONE = "one"  # one value, at ``path``
    MANY = "many"  # the parameter repeated: a list at ``path``
    EQ_IN = "eq_in"  # one value at path + eq, or several at path + in
    JSON = "json"  # a JSON value for the whole variable
    SORT = "sort"  # sort terms


@dataclass(frozen=True)
class Parameter:
    name: str
    variable: str
    path: tuple[str, ...]
    form: Form
    # The GraphQL type of one value (the list's element for MANY and EQ_IN).
    type: GraphQLNamedType
    in_path: bool = False
    required: bool = False
    default: Any = None
    description: str = ""
    # SORT: the order type's field enum.
    sort_fields: tuple[str, ...] = ()


def _unwrap(t: GraphQLInputType) -> tuple[GraphQLInputType, bool]:
    if isinstance(t, GraphQLNonNull):
        return t.of_type, True
    return t, False


def _element(t: GraphQLInputType) -> GraphQLNamedType | None:
    """The named element type of a list of scalars or enums, else None."""
    inner, _ = _unwrap(t)
    if isinstance(inner, GraphQLList):
        element, _ = _unwrap(inner.of_type)
        if isinstance(element, GraphQLScalarType | GraphQLEnumType):
            return element
    return None


def _leaf_parameters(
    variable: str, prefix: tuple[str, ...], name: str, field_type: GraphQLInputType, doc: str
) -> list[Parameter]:
    inner, _ = _unwrap(field_type)
    path = (*prefix, name)
    dotted = ".".join(path[1:]) if variable == FILTER else ".".join(path)
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return [Parameter(dotted, variable, path, Form.ONE, inner, description=doc)]
    element = _element(inner)
    if element is not None:
        return [Parameter(dotted, variable, path, Form.MANY, element, description=doc)]
    if not isinstance(inner, GraphQLInputObjectType):
        return []
    found: list[Parameter] = []
    for sub_name, sub in inner.fields.items():
        if sub_name in LOGICAL:
            continue
        sub_inner, _ = _unwrap(sub.type)
        sub_doc = f"{doc} {sub.description or ''}".strip()
        if isinstance(sub_inner, GraphQLScalarType | GraphQLEnumType):
            found.append(
                Parameter(f"{dotted}.{sub_name}", variable, (*path, sub_name), Form.ONE, sub_inner,
                          description=sub_doc)
            )  # fmt: skip
        elif (element := _element(sub_inner)) is not None:
            found.append(
                Parameter(f"{dotted}.{sub_name}", variable, (*path, sub_name), Form.MANY, element,
                          description=sub_doc)
            )  # fmt: skip
    if variable == FILTER:
        shorthand = _shorthand(dotted, path, inner, doc)
        if shorthand is not None:
            # The shorthand already spells these; one spelling per value keeps the API small.
            covered = {"eq", "in"} if shorthand.form is Form.EQ_IN else {SLUGS}
            found = [shorthand, *(p for p in found if p.path[-1] not in covered)]
    return found


def _shorthand(
    dotted: str, path: tuple[str, ...], leaf: GraphQLInputObjectType, doc: str
) -> Parameter | None:
    fields = leaf.fields
    if "eq" in fields and "in" in fields:
        element = _element(fields["in"].type)
        if element is not None:
            text = f"{doc} One value: equal to it; repeated: any of them."
            return Parameter(dotted, FILTER, path, Form.EQ_IN, element, description=text)
    if SLUGS in fields:
        element = _element(fields[SLUGS].type)
        if element is not None:
            text = f"{doc} By slug; repeated: any of them."
            return Parameter(dotted, FILTER, (*path, SLUGS), Form.MANY, element, description=text)
    return None


def _order_fields(t: GraphQLInputType) -> tuple[str, ...] | None:
    """The sortable fields, when ``t`` is a list of ``{field: Enum!, direction}`` orders."""
    inner, _ = _unwrap(t)
    if not isinstance(inner, GraphQLList):
        return None
    order, _ = _unwrap(inner.of_type)
    if not isinstance(order, GraphQLInputObjectType) or set(order.fields) != {
        "field",
        "direction",
    }:
        return None
    field, _ = _unwrap(order.fields["field"].type)
    if not isinstance(field, GraphQLEnumType):
        return None
    return tuple(field.values)


def route_parameters(schema: GraphQLSchema, operation: RestOperation) -> tuple[Parameter, ...]:
    """Every parameter of the route, path segments first, in the order variables are declared."""
    in_path = set(operation.path_parameters)
    parameters: list[Parameter] = []
    for definition in operation.definition.variable_definitions or ():
        name = definition.variable.name.value
        declared = type_from_ast(schema, definition.type)
        assert declared is not None  # the operation was validated against this schema
        inner, non_null = _unwrap(declared)  # type: ignore[arg-type]
        required = non_null and definition.default_value is None
        default = None
        if definition.default_value is not None:
            default = value_from_ast_untyped(definition.default_value)
        if name in in_path:
            if not isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                raise ValueError(f"{operation.name}: path segment ${name} must be a scalar")
            parameters.append(Parameter(name, name, (name,), Form.ONE, inner, in_path=True,
                                        required=True))  # fmt: skip
            continue
        sort_fields = _order_fields(inner)
        if name == SORT and sort_fields is not None:
            named = _unwrap(_unwrap(inner.of_type)[0])[0]  # type: ignore[union-attr]
            assert isinstance(named, GraphQLInputObjectType)
            parameters.append(
                Parameter(SORT, name, (name,), Form.SORT, named, sort_fields=sort_fields)
            )
            continue
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            parameters.append(
                Parameter(name, name, (name,), Form.ONE, inner, required=required, default=default)
            )
        elif (element := _element(inner)) is not None:
            parameters.append(Parameter(name, name, (name,), Form.MANY, element, required=required))
        elif isinstance(inner, GraphQLInputObjectType):
            if name == FILTER:
                parameters.append(Parameter(FILTER, name, (name,), Form.JSON, inner))
            for field_name, field in inner.fields.items():
                if field_name in LOGICAL:
                    continue
                parameters.extend(
                    _leaf_parameters(name, (name,), field_name, field.type, field.description or "")
                )
        else:
            raise ValueError(f"{operation.name}: ${name} has no query-string form")
    names = [p.name for p in parameters]
    clashes = {n for n in names if names.count(n) > 1}
    if clashes:
        raise ValueError(f"{operation.name}: parameters {sorted(clashes)} are ambiguous")
    return tuple(parameters)


def _scalar(parameter: Parameter, text: str) -> Any:
    t = parameter.type
    try:
        if t is GraphQLInt:
            return int(text)
        if t is GraphQLFloat:
            return float(text)
    except ValueError:
        kind = "an integer" if t is GraphQLInt else "a number"
        raise ParameterError(f"`{parameter.name}` must be {kind}, not {text[:40]!r}.") from None
    if t is GraphQLBoolean:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ParameterError(f"`{parameter.name}` must be true or false, not {text[:40]!r}.")
        return lowered == "true"
    return text


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _sort_terms(parameter: Parameter, text: str) -> list[dict[str, str]]:
    terms: list[dict[str, str]] = []
    for raw in text.split(","):
        term = raw.strip()
        direction = "DESC" if term.startswith("-") else "ASC"
        field = _CAMEL_BOUNDARY.sub("_", term.lstrip("+-")).upper()
        if field not in parameter.sort_fields:
            allowed = ", ".join(f.lower() for f in parameter.sort_fields)
            raise ParameterError(
                f"`sort` has {term[:40]!r}: sort by {allowed} (comma-separated, `-` for "
                "descending)."
            )
        terms.append({"field": field, "direction": direction})
    return terms


def _place(target: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _combinable(parameters: Sequence[Parameter]) -> bool:
    tree = next(p for p in parameters if p.form is Form.JSON)
    return isinstance(tree.type, GraphQLInputObjectType) and "and" in tree.type.fields


def variables_of(
    parameters: Sequence[Parameter],
    path_values: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    *,
    max_json_depth: int,
) -> dict[str, Any]:
    """The operation's variables from the request; ParameterError on anything it cannot use."""
    by_name = {p.name: p for p in parameters if not p.in_path}
    given: dict[str, list[str]] = {}
    for name, value in query:
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise ParameterError(f"Unknown parameter `{name[:60]}`; this route takes: {known}.")
        given.setdefault(name, []).append(value)
    variables: dict[str, Any] = {}
    leaves: dict[str, Any] = {}
    for parameter in parameters:
        if parameter.in_path:
            variables[parameter.variable] = _scalar(parameter, path_values[parameter.name])
            continue
        values = given.get(parameter.name)
        if values is None:
            if parameter.required:
                raise ParameterError(f"`{parameter.name}` is required.")
            continue
        if parameter.form not in (Form.MANY, Form.EQ_IN) and len(values) > 1:
            raise ParameterError(f"Give `{parameter.name}` once, not {len(values)} times.")
        target = leaves if parameter.variable == FILTER else variables
        if parameter.form is Form.ONE:
            _place(target, parameter.path, _scalar(parameter, values[0]))
        elif parameter.form is Form.MANY:
            _place(target, parameter.path, [_scalar(parameter, v) for v in values])
        elif parameter.form is Form.EQ_IN:
            if len(values) == 1:
                _place(target, (*parameter.path, "eq"), _scalar(parameter, values[0]))
            else:
                _place(target, (*parameter.path, "in"), [_scalar(parameter, v) for v in values])
        elif parameter.form is Form.SORT:
            variables[parameter.variable] = _sort_terms(parameter, values[0])
        elif parameter.form is Form.JSON:
            try:
                variables[FILTER] = decode_json(values[0].encode(), max_depth=max_json_depth)
            except Refusal as refusal:
                raise ParameterError(f"`{parameter.name}`: {refusal.message}") from None
            if not isinstance(variables[FILTER], dict):
                raise ParameterError(f"`{parameter.name}` must be a JSON object.")
    if FILTER in leaves:
        flat = leaves[FILTER]
        tree = variables.get(FILTER)
        if tree is None:
            variables[FILTER] = flat
        elif _combinable(parameters):
            variables[FILTER] = {"and": [tree, flat]}
        else:
            raise ParameterError(
                "This route's filter has no `and`: give the whole filter as JSON in `filter`, "
                "or flat parameters, not both."
            )
    return variables
