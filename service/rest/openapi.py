"""The OpenAPI 3.1 document of the REST API, generated from the routes themselves.

Each read route's parameters come from its operation's variables (the same rules that turn a
request into variables), its 200 schema from the operation's selection, its description and
example from the comment above the operation; the export route describes itself here.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_named_type,
)

from service.gateway.access import ADMIN_QUERY_FIELDS
from service.rest import problems
from service.rest.export import EXPORT_PATH, export_description, export_parameters
from service.rest.operations import RestOperation, Shape, input_type
from service.rest.parameters import Form, Parameter, route_parameters
from service.rest.schemas import InputSchemas, OutputSchemas, Schema, scalar_schema

OPENAPI_VERSION = "3.1.0"
PROBLEM = "Problem"
BEARER = "apiKey"

DESCRIPTION = """\
Who invests in which AI start-ups, in which rounds, and with what — over REST.

Every read route is a named GraphQL operation (`graphql/rest/`) executed exactly as over
`/graphql`: the response is that operation's root field, with the same field names and values.

* **Keys**: `Authorization: Bearer <key>`, as for GraphQL: a `read` key where reads are not
  public (and always for the export); an `admin` key for webhooks (`/api/v1/webhooks…`).
* **Writes**: `POST`, `PATCH` and `DELETE` routes run a mutation whose input is the JSON body
  (with the path's segments); `userErrors` make a problem listing them.
* **Pages**: list routes take `limit` and `cursor`; while there is a next page the response has
  `Link: <…>; rel="next"`.
* **Caching**: every response has an `ETag`; send it back in `If-None-Match` to get
  `304 Not Modified`.
* **Errors**: `application/problem+json` (RFC 9457) whose `code` is the code GraphQL gives the
  same request in `extensions.code` (`BAD_USER_INPUT`, `UNAUTHENTICATED`, `FORBIDDEN`,
  `NOT_FOUND`, `QUERY_TOO_COMPLEX`, `INPUT_TOO_LARGE`, `TIMEOUT`, `SERVICE_UNAVAILABLE`…); its
  `type` is the code under `https://stakegraph.invalid/problems/`.
"""


def _problem_schema() -> Schema:
    return {
        "type": "object",
        "description": "A problem (RFC 9457), coded as GraphQL codes the same request.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "code": {"type": "string"},
        },
        "required": ["type", "title", "status", "detail", "code"],
    }


def problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {problems.PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}},
    }


def error_responses(item: bool) -> dict[str, Any]:
    responses = {
        "400": problem_response("Bad input: a parameter, a value or a limit (`code` says which)."),
        "401": problem_response("No API key where one is needed, or an unknown or revoked one."),
        "403": problem_response("The API key lacks the scope the route needs."),
        "429": problem_response(
            "Rate limited (`THROTTLED`): the request's cost is not in its bucket, or the key "
            "already runs as many imports or exports as it may; `Retry-After` says when to retry."
        ),
        "503": problem_response("The database is unavailable; retry shortly."),
        "504": problem_response("The request took longer than its deadline."),
    }
    if item:
        responses["404"] = problem_response("Nothing has this key.")
    return dict(sorted(responses.items()))


def _example_values(operation: RestOperation) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The example request's path segments and query parameters, by name."""
    split = urlsplit(operation.example)
    pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", operation.path)
    match = re.fullmatch(pattern, split.path)
    if match is None:
        raise ValueError(f"{operation.name}: the example {split.path} is not a {operation.path}")
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    return match.groupdict(), query


def _typed(parameter: Parameter, text: str) -> Any:
    if parameter.type.name == "Int":
        return int(text)
    if parameter.type.name == "Float":
        return float(text)
    if parameter.type.name == "Boolean":
        return text == "true"
    return text


def _sort_pattern(fields: tuple[str, ...]) -> str:
    names = "|".join(f.lower() for f in fields)
    term = f"[-+]?({names})"
    return f"^{term}(,{term})*$"


class Builder:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.outputs = OutputSchemas(schema)
        self.inputs = InputSchemas()

    def parameter(self, parameter: Parameter, examples: list[str] | None) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": parameter.name,
            "in": "path" if parameter.in_path else "query",
            "required": parameter.in_path or parameter.required,
        }
        if parameter.description:
            described["description"] = parameter.description
        if parameter.form is Form.ONE:
            schema = scalar_schema(parameter.type)
            if parameter.default is not None:
                schema["default"] = parameter.default
            described["schema"] = schema
        elif parameter.form in (Form.MANY, Form.EQ_IN):
            described["schema"] = {"type": "array", "items": scalar_schema(parameter.type)}
            described["style"], described["explode"] = "form", True
        elif parameter.form is Form.SORT:
            described["schema"] = {
                "type": "string",
                "pattern": _sort_pattern(parameter.sort_fields),
            }
            described["description"] = (
                "Sort terms, comma-separated, first one first; `-` before a term for "
                "descending. Ties break on ID."
            )
        elif parameter.form is Form.JSON:
            assert not isinstance(parameter.type, GraphQLEnumType)
            tree = self.inputs.non_null(parameter.type)  # type: ignore[arg-type]
            described["content"] = {"application/json": {"schema": tree}}
            described["description"] = (
                f"The whole {parameter.type.name} tree as JSON; AND-ed with the flat parameters."
            )
        if examples:
            if parameter.form in (Form.MANY, Form.EQ_IN):
                example: Any = [_typed(parameter, e) for e in examples]
            elif parameter.form is Form.JSON:
                example = None
            else:
                example = _typed(parameter, examples[0])
            if example is not None:
                described["example"] = example
        return described

    def read_route(self, operation: RestOperation) -> dict[str, Any]:
        path_examples, query_examples = _example_values(operation)
        parameters = []
        for parameter in route_parameters(self.schema, operation):
            if parameter.in_path:
                given = [path_examples[parameter.name]]
            else:
                given = query_examples.get(parameter.name, [])
            parameters.append(self.parameter(parameter, given))
        root = operation.definition.selection_set.selections[0]
        assert isinstance(root, FieldNode)  # checked when the operation was loaded
        body = self.outputs.of(operation.root_type, root.selection_set)
        if operation.shape is Shape.ITEM:
            body = body["anyOf"][0]  # null is a 404, never a 200
        headers: dict[str, Any] = {
            "ETag": {"description": "Send back in If-None-Match.", "schema": {"type": "string"}},
        }
        if operation.shape is Shape.PAGE:
            headers["Link"] = {
                "description": 'The next page, as `<url>; rel="next"`, while there is one.',
                "schema": {"type": "string"},
            }
        responses: dict[str, Any] = {
            "200": {
                "description": operation.summary,
                "headers": headers,
                "content": {"application/json": {"schema": body}},
            },
            "304": {
                "description": "Not modified: the If-None-Match ETag is the current one.",
                "headers": {"ETag": headers["ETag"]},
            },
            **error_responses(operation.shape is Shape.ITEM),
        }
        return {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "description": (
                f"{operation.description}\n\nGraphQL twin: the `{operation.name}` operation in "
                f"`graphql/rest/`.\n\nExample: `GET {operation.example}`"
            ),
            "tags": [operation.path.split("/")[3]],
            "parameters": parameters,
            "responses": responses,
            "security": [{}, {BEARER: []}],
        }

    def write_route(self, operation: RestOperation) -> dict[str, Any]:
        """A mutation route: the input's fields not in the path are the JSON body."""
        fields = input_type(self.schema, operation.definition).fields
        path_examples, _ = _example_values(operation)
        parameters = []
        for name in operation.path_parameters:
            named = get_named_type(fields[name].type)
            assert isinstance(named, GraphQLScalarType | GraphQLEnumType)
            parameters.append(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": fields[name].description or "",
                    "schema": scalar_schema(named),
                    "example": path_examples[name],
                }
            )
        body: dict[str, Any] = {
            "type": "object",
            "properties": {
                name: self.inputs.of(field.type)
                for name, field in fields.items()
                if name not in operation.path_parameters
            },
            "additionalProperties": False,
        }
        required = [
            name
            for name, field in fields.items()
            if name not in operation.path_parameters
            and isinstance(field.type, GraphQLNonNull)
            and field.default_value is Undefined
        ]
        if required:
            body["required"] = required
        root = operation.definition.selection_set.selections[0]
        assert isinstance(root, FieldNode)
        answer = self.outputs.of(operation.root_type, root.selection_set)
        errors = error_responses(False)
        errors["404"] = problem_response("What the path or input names does not exist.")
        described: dict[str, Any] = {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "description": (
                f"{operation.description}\n\nGraphQL twin: the `{operation.name}` operation in "
                f"`graphql/rest/` (its `$input`: this body, with the path's segments).\n\n"
                f"Example: `{operation.method} {operation.example}`"
            ),
            "tags": [operation.path.split("/")[3]],
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": operation.summary,
                    "content": {"application/json": {"schema": answer}},
                },
                **dict(sorted(errors.items())),
            },
            "security": [{BEARER: []}],
        }
        if body["properties"]:
            content: dict[str, Any] = {"schema": body}
            if operation.body_example is not None:
                content["example"] = json.loads(operation.body_example)
            described["requestBody"] = {
                "required": bool(required),
                "content": {"application/json": content},
            }
        return described

    def export_route(self) -> dict[str, Any]:
        return {
            "operationId": "Export",
            "summary": "The database in the bulk format: JSON Lines, or CSV of rounds or "
            "investments",
            "description": export_description(),
            "tags": ["export"],
            "parameters": export_parameters(),
            "responses": {
                "200": {
                    "description": "The records, streamed.",
                    "content": {
                        "application/x-ndjson": {"schema": {"type": "string"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **{k: v for k, v in error_responses(False).items() if k != "504"},
            },
            "security": [{BEARER: []}],
        }


def build_document(
    schema: GraphQLSchema, operations: tuple[RestOperation, ...], version: str
) -> dict[str, Any]:
    builder = Builder(schema)
    paths: dict[str, Any] = {}
    for operation in operations:
        route = (
            builder.write_route(operation) if operation.writes else builder.read_route(operation)
        )
        root = operation.definition.selection_set.selections[0]
        if isinstance(root, FieldNode) and root.name.value in ADMIN_QUERY_FIELDS:
            route["security"] = [{BEARER: []}]  # an admin key, always
        paths.setdefault(operation.path, {})[operation.method.lower()] = route
    paths[EXPORT_PATH] = {"get": builder.export_route()}
    components: dict[str, Any] = {PROBLEM: _problem_schema()}
    components.update(sorted(builder.inputs.components.items()))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Stakegraph REST API", "version": version, "description": DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key, as for GraphQL.",
                }
            },
        },
    }
