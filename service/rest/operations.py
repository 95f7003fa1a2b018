"""The REST read routes, each one named GraphQL operation in ``graphql/rest/*.graphql``.

A file holds one query whose only root field is what the route answers; the comment above it
says the route (``# GET /api/v1/…``), what it returns, and an example request
(``# Example: /api/v1/…``). The route's parameters are the operation's variables (path
segments by name, the rest from the query string), so a REST response is the same
operation's ``data`` over ``/graphql`` with the same variables, taken at its root field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from graphql import (
    FieldNode,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    parse,
    specified_rules,
    validate,
)

REST_DIR = Path(__file__).resolve().parents[2] / "graphql" / "rest"
PREFIX = "/api/v1"
CONNECTION_SUFFIX = "Connection"
# Variables that connection routes page with, and the parts of the page they read.
LIMIT, CURSOR = "limit", "cursor"
_ROUTE_LINE = re.compile(r"^GET (/api/v1/[a-z0-9\-/{}A-Za-z]+)$")
_EXAMPLE = "Example:"


class RouteError(ValueError):
    """A file of graphql/rest/ that does not define a route as this module expects."""


class Shape(StrEnum):
    """What the root field returns, which decides how the route answers."""

    PAGE = "page"  # a connection: paged with `limit` and `cursor`, a Link header to the next
    ITEM = "item"  # one nullable object: 404 when there is none
    VALUE = "value"  # anything else, returned as it is


@dataclass(frozen=True)
class RestOperation:
    name: str
    path: str
    summary: str
    description: str
    example: str
    document: str
    definition: OperationDefinitionNode
    root_key: str
    root_type: GraphQLOutputType
    shape: Shape

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def operation_id(self) -> str:
        return self.name


def _header(text: str, path: Path) -> tuple[str, str, str]:
    """(route path, description, example) from the comment block that opens the file."""
    comment: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line[1:].strip())
    if not comment:
        raise RouteError(f"{path.name}: no `# GET /api/v1/…` line opens the file")
    match = _ROUTE_LINE.match(comment[0])
    if match is None:
        raise RouteError(f"{path.name}: the first line must be `# GET /api/v1/…`")
    examples = [line for line in comment if line.startswith(_EXAMPLE)]
    if len(examples) != 1:
        raise RouteError(f"{path.name}: give exactly one `# Example: /api/v1/…` line")
    example = examples[0].removeprefix(_EXAMPLE).strip()
    if not example.startswith(PREFIX + "/"):
        raise RouteError(f"{path.name}: the example must be a path under {PREFIX}")
    description = " ".join(line for line in comment[1:] if not line.startswith(_EXAMPLE))
    if not description:
        raise RouteError(f"{path.name}: describe what the route returns")
    return match.group(1), description, example


def _summary(description: str) -> str:
    first = re.split(r"(?<=[.:;])\s", description, maxsplit=1)[0]
    return first.rstrip(".:;")


def load_operation(schema: GraphQLSchema, path: Path) -> RestOperation:
    text = path.read_text(encoding="utf-8")
    route, description, example = _header(text, path)
    document = parse(text)
    errors = validate(schema, document, specified_rules)
    if errors:
        raise RouteError(f"{path.name}: {errors[0].message}")
    definitions = document.definitions
    if len(definitions) != 1 or not isinstance(definitions[0], OperationDefinitionNode):
        raise RouteError(f"{path.name}: hold exactly one operation and no fragments")
    definition = definitions[0]
    if definition.operation != OperationType.QUERY or definition.name is None:
        raise RouteError(f"{path.name}: the route must be a named query")
    if definition.name.value != f"Rest{path.stem}":
        raise RouteError(f"{path.name}: name the operation Rest{path.stem}")
    fields = definition.selection_set.selections
    if len(fields) != 1 or not isinstance(fields[0], FieldNode):
        raise RouteError(f"{path.name}: select exactly one root field")
    root = fields[0]
    query_type = schema.query_type
    assert query_type is not None
    root_type = query_type.fields[root.name.value].type
    variables = {v.variable.name.value for v in definition.variable_definitions or ()}
    for parameter in re.findall(r"{(\w+)}", route):
        if parameter not in variables:
            raise RouteError(f"{path.name}: the path names {{{parameter}}}, not a variable")
    shape = _shape(root_type)
    if shape is Shape.PAGE and not {LIMIT, CURSOR} <= variables:
        raise RouteError(f"{path.name}: a connection route pages with ${LIMIT} and ${CURSOR}")
    return RestOperation(
        name=definition.name.value,
        path=route,
        summary=_summary(description),
        description=description,
        example=example,
        document=text,
        definition=definition,
        root_key=(root.alias or root.name).value,
        root_type=root_type,
        shape=shape,
    )


def _shape(root_type: GraphQLOutputType) -> Shape:
    named = get_named_type(root_type)
    if isinstance(named, GraphQLObjectType) and named.name.endswith(CONNECTION_SUFFIX):
        return Shape.PAGE
    if not isinstance(root_type, GraphQLNonNull):
        return Shape.ITEM
    return Shape.VALUE


@cache
def load_operations(schema: GraphQLSchema, directory: Path = REST_DIR) -> tuple[RestOperation, ...]:
    """Every route, in path order; refuses two files that claim one path."""
    operations = [load_operation(schema, p) for p in sorted(directory.glob("*.graphql"))]
    seen: dict[str, str] = {}
    for operation in operations:
        if operation.path in seen:
            raise RouteError(
                f"{operation.name} and {seen[operation.path]} both serve {operation.path}"
            )
        seen[operation.path] = operation.name
    return tuple(sorted(operations, key=lambda o: o.path))
