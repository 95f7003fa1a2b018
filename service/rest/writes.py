"""The REST write routes: a JSON body (and the path's segments) to the mutation's ``$input``,
the payload to an HTTP response.

The gateway runs the mutation as it runs one posted to ``/graphql`` (the same key, scope and
limits). A payload without ``userErrors`` is the response body, as GraphQL returns it; one with
them is a problem (400, or 404 when what the input names does not exist) listing them.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema
from starlette.requests import Request
from starlette.responses import Response

from service.config import Settings
from service.gateway.body import decode_json, read_limited
from service.gateway.endpoint import GraphQLGateway
from service.gateway.errors import Refusal
from service.rest import problems
from service.rest.execution import execute
from service.rest.operations import RestOperation, input_type
from service.rest.reads import JSON, Handler, encode

USER_ERRORS = "userErrors"
BAD_USER_INPUT = "BAD_USER_INPUT"


async def _input(request: Request, settings: Settings) -> dict[str, Any]:
    raw = await read_limited(
        request.stream(),
        limit=settings.max_body_bytes,
        declared_length=request.headers.get("content-length"),
    )
    if not raw.strip():
        return {}
    value = decode_json(raw, max_depth=settings.max_json_depth)
    if not isinstance(value, dict):
        raise Refusal(BAD_USER_INPUT, "The request body must be a JSON object: the input.")
    return value


def write_handler(
    schema: GraphQLSchema,
    operation: RestOperation,
    gateway: GraphQLGateway,
    settings: Settings,
) -> Handler:
    fields = input_type(schema, operation.definition).fields

    async def handle(request: Request) -> Response:
        instance = request.url.path
        try:
            given = await _input(request, settings)
        except Refusal as refusal:
            return problems.problem(refusal.code, refusal.message, instance=instance)
        for name, value in request.path_params.items():
            if name in given and given[name] != value:
                return problems.problem(
                    BAD_USER_INPUT,
                    f"The body's `{name}` differs from the path's; leave it out of the body.",
                    instance=instance,
                )
            given[name] = value
        unknown = sorted(set(given) - set(fields))
        if unknown:
            known = ", ".join(sorted(fields))
            return problems.problem(
                BAD_USER_INPUT,
                f"Unknown fields {', '.join(unknown)[:200]}; the input takes: {known}.",
                instance=instance,
            )
        answer = await execute(gateway, request, operation.document, operation.name,
                               {"input": given})  # fmt: skip
        errors = answer.body.get("errors")
        if errors:
            return problems.from_graphql_error(errors[0], answer.status, instance)
        payload = (answer.body.get("data") or {}).get(operation.root_key) or {}
        user_errors = payload.get(USER_ERRORS) or []
        if user_errors:
            not_found = all(e.get("code") == problems.NOT_FOUND for e in user_errors)
            return problems.problem(
                problems.NOT_FOUND if not_found else BAD_USER_INPUT,
                "; ".join(str(e.get("message")) for e in user_errors),
                instance=instance,
                extra={USER_ERRORS: user_errors},
            )
        return Response(
            encode(payload),
            media_type=JSON,
            headers={"cache-control": "no-store"},
        )

    return handle
