"""The REST read routes: parameters to variables, the gateway's answer to an HTTP response.

A successful answer is the operation's root field, encoded as GraphQL encodes it, with a
strong ``ETag`` of those bytes (``If-None-Match`` → 304 without a body); a page adds a
``Link: <…>; rel="next"`` header while there is a next page. Errors are problems (RFC 9457)
with the codes GraphQL gives; an item route whose object does not exist is a 404.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLSchema
from starlette.requests import Request
from starlette.responses import Response

from service.config import Settings
from service.gateway.endpoint import GraphQLGateway
from service.gateway.responses import EXECUTOR_HEADER
from service.rest import problems
from service.rest.execution import execute
from service.rest.operations import CURSOR, RestOperation, Shape
from service.rest.parameters import Parameter, ParameterError, route_parameters, variables_of

JSON = "application/json"
Handler = Callable[[Request], Awaitable[Response]]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(request: Request, etag: str) -> bool:
    """``If-None-Match`` names this representation (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def next_link(request: Request, cursor: str) -> str:
    url = request.url.include_query_params(**{CURSOR: cursor})
    return f'<{url}>; rel="next"'


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def route_handler(
    schema: GraphQLSchema,
    operation: RestOperation,
    gateway: GraphQLGateway,
    settings: Settings,
) -> Handler:
    parameters: tuple[Parameter, ...] = route_parameters(schema, operation)

    async def handle(request: Request) -> Response:
        instance = request.url.path
        try:
            variables = variables_of(
                parameters,
                request.path_params,
                request.query_params.multi_items(),
                max_json_depth=settings.max_json_depth,
            )
        except ParameterError as exc:
            return problems.problem("BAD_USER_INPUT", str(exc), instance=instance)
        answer = await execute(gateway, request, operation.document, operation.name, variables)
        errors = answer.body.get("errors")
        if errors:
            return problems.from_graphql_error(errors[0], answer.status, instance)
        data = answer.body.get("data") or {}
        value = data.get(operation.root_key)
        if value is None and operation.shape is Shape.ITEM:
            return problems.problem(
                problems.NOT_FOUND, f"Nothing at {request.url.path}.", instance=instance
            )
        body = encode(value)
        etag = etag_of(body)
        headers = {
            "etag": etag,
            # Keys decide what a caller may read: a shared cache must not mix callers.
            "cache-control": "private, no-cache",
            "vary": "Authorization, Stakegraph-As-Of",
            EXECUTOR_HEADER: answer.executor,
        }
        if operation.shape is Shape.PAGE and isinstance(value, dict):
            page = value.get("pageInfo") or {}
            if page.get("hasNextPage") and page.get("endCursor"):
                headers["link"] = next_link(request, page["endCursor"])
        if not_modified(request, etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=JSON, headers=headers)

    return handle
