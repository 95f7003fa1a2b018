"""The REST routes, each one named GraphQL operation in ``graphql/rest/*.graphql``.

A file holds one operation whose only root field is what the route answers; the comment above
it says the route (``# GET /api/v1/…``), what it returns, and an example request
(``# Example: /api/v1/…``). A read route's parameters are the operation's variables (path
segments by name, the rest from the query string), so a REST response is the same
operation's ``data`` over ``/graphql`` with the same variables, taken at its root field.

A write route (``# POST|PATCH|DELETE /api/v1/…``) is a mutation taking one ``$input``: the
JSON body, with the path segments as fields of it (``{id}`` is ``input.id``); its comment adds
an example body (``# Body: {…}``) unless the path says everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from graphql import (
    FieldNode,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    parse,
    specified_rules,
    type_from_ast,
    validate,
)

REST_DIR = Path(__file__).resolve().parents[2] / "graphql" / "rest"
PREFIX = "/api/v1"
CONNECTION_SUFFIX = "Connection"
# Variables that connection routes page with, and the parts of the page they read.
LIMIT, CURSOR = "limit", "cursor"
_ROUTE_LINE = re.compile(r"^(GET|POST|PATCH|DELETE) (/api/v1/[a-z0-9\-/{}A-Za-z]+)$")
_EXAMPLE = "Example:"
_BODY = "Body:"
READ = "GET"
INPUT = "input"


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
    method: str = READ
    # A write route's example body (JSON text), if it takes one.
    body_example: str | None = None

    @property
    def writes(self) -> bool:
        return self.method != READ

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def operation_id(self) -> str:
        return self.name


@dataclass(frozen=True)
class _Header:
    method: str
    path: str
    description: str
    example: str
    body: str | None


def _header(text: str, path: Path) -> _Header:
    """The method, route path, description, examples from the comment block that opens the
    file."""
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
    body_lines = [line for line in comment if line.startswith(_BODY)]
    if len(body_lines) > 1 or (body_lines and match.group(1) == READ):
        raise RouteError(f"{path.name}: a write route may give one `# Body: {{…}}` line")
    body = body_lines[0].removeprefix(_BODY).strip() if body_lines else None
    comment = [line for line in comment if not line.startswith(_BODY)]
    examples = [line for line in comment if line.startswith(_EXAMPLE)]
    if len(examples) != 1:
        raise RouteError(f"{path.name}: give exactly one `# Example: /api/v1/…` line")
    example = examples[0].removeprefix(_EXAMPLE).strip()
    if not example.startswith(PREFIX + "/"):
        raise RouteError(f"{path.name}: the example must be a path under {PREFIX}")
    description = " ".join(line for line in comment[1:] if not line.startswith(_EXAMPLE))
    if not description:
        raise RouteError(f"{path.name}: describe what the route returns")
    return _Header(match.group(1), match.group(2), description, example, body)


def _summary(description: str) -> str:
    first = re.split(r"(?<=[.:;])\s", description, maxsplit=1)[0]
    return first.rstrip(".:;")


def load_operation(schema: GraphQLSchema, path: Path) -> RestOperation:
    text = path.read_text(encoding="utf-8")
    header = _header(text, path)
    route, description, example = header.path, header.description, header.example
    document = parse(text)
    errors = validate(schema, document, specified_rules)
    if errors:
        raise RouteError(f"{path.name}: {errors[0].message}")
    definitions = document.definitions
    if len(definitions) != 1 or not isinstance(definitions[0], OperationDefinitionNode):
        raise RouteError(f"{path.name}: hold exactly one operation and no fragments")
    definition = definitions[0]
    expected = OperationType.QUERY if header.method == READ else OperationType.MUTATION
    if definition.operation != expected or definition.name is None:
        raise RouteError(f"{path.name}: a {header.method} route must be a named {expected.value}")
    if definition.name.value != f"Rest{path.stem}":
        raise RouteError(f"{path.name}: name the operation Rest{path.stem}")
    fields = definition.selection_set.selections
    if len(fields) != 1 or not isinstance(fields[0], FieldNode):
        raise RouteError(f"{path.name}: select exactly one root field")
    root = fields[0]
    root_object = schema.query_type if header.method == READ else schema.mutation_type
    assert root_object is not None
    root_type = root_object.fields[root.name.value].type
    variables = {v.variable.name.value for v in definition.variable_definitions or ()}
    if header.method == READ:
        for parameter in re.findall(r"{(\w+)}", route):
            if parameter not in variables:
                raise RouteError(f"{path.name}: the path names {{{parameter}}}, not a variable")
    else:
        _check_write(schema, definition, route, path)
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
        method=header.method,
        body_example=header.body,
    )


def input_type(
    schema: GraphQLSchema, definition: OperationDefinitionNode
) -> GraphQLInputObjectType:
    """A write route's ``$input`` type."""
    (variable,) = definition.variable_definitions or ()
    declared = type_from_ast(schema, variable.type)
    named = get_named_type(declared)
    assert isinstance(named, GraphQLInputObjectType)  # checked when the route was loaded
    return named


def _check_write(
    schema: GraphQLSchema, definition: OperationDefinitionNode, route: str, path: Path
) -> None:
    variables = definition.variable_definitions or ()
    if [v.variable.name.value for v in variables] != [INPUT]:
        raise RouteError(f"{path.name}: a write route takes exactly one variable, ${INPUT}")
    declared = type_from_ast(schema, variables[0].type)
    if not isinstance(declared, GraphQLNonNull) or not isinstance(
        declared.of_type, GraphQLInputObjectType
    ):
        raise RouteError(f"{path.name}: ${INPUT} must be a non-null input object")
    for parameter in re.findall(r"{(\w+)}", route):
        if parameter not in declared.of_type.fields:
            raise RouteError(
                f"{path.name}: the path names {{{parameter}}}, not a field of ${INPUT}"
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
    seen: dict[tuple[str, str], str] = {}
    for operation in operations:
        route = (operation.method, operation.path)
        if route in seen:
            raise RouteError(
                f"{operation.name} and {seen[route]} both serve {operation.method} {operation.path}"
            )
        seen[route] = operation.name
    return tuple(sorted(operations, key=lambda o: (o.path, o.method)))
