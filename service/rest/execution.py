"""A REST route's operation executed by the GraphQL gateway, exactly as over ``/graphql``.

The gateway is handed the request a GraphQL client would send for the same operation and
variables (``POST /graphql``, JSON, with the caller's ``Authorization`` headers as they came), so
every step a GraphQL request takes — document cache, API key and scope, input and cost limits,
the compiled or resolver executor under the request deadline, error masking — is the one
that runs; this module only builds that request and reads the answer back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from service.gateway.endpoint import GraphQLGateway
from service.gateway.responses import EXECUTOR_HEADER, GRAPHQL_RESPONSE, JSON

GRAPHQL_PATH = "/graphql"
# Headers of the caller's request that the operation's execution depends on: the key, and the
# recorded time a frontend reads at (which the route's `asOf` must then agree with).
_FORWARDED = frozenset({b"authorization", b"stakegraph-as-of"})


@dataclass(frozen=True)
class Answer:
    """The gateway's response: its status, decoded body and which executor produced it."""

    status: int
    body: dict[str, Any]
    executor: str


async def _unrouted(scope: Scope, receive: Receive, send: Send) -> None:
    """The gateway's downstream application; never reached, as only ``handle`` is called."""
    raise RuntimeError("the REST routes call the gateway directly")


def rest_gateway(gateway_kwargs: dict[str, Any]) -> GraphQLGateway:
    return GraphQLGateway(_unrouted, **gateway_kwargs)


def graphql_request(
    request: Request, document: str, name: str, variables: dict[str, Any]
) -> Request:
    """The ``POST /graphql`` request a GraphQL client sends for this operation."""
    body = json.dumps(
        {"query": document, "operationName": name, "variables": variables},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    headers = [(k, v) for k, v in request.scope["headers"] if k in _FORWARDED]
    headers += [
        (b"content-type", JSON.encode()),
        # The media type whose statuses tell a refusal (4xx, no data) from an answer.
        (b"accept", GRAPHQL_RESPONSE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope: Scope = {
        **request.scope,
        "method": "POST",
        "path": GRAPHQL_PATH,
        "raw_path": GRAPHQL_PATH.encode(),
        "query_string": b"",
        "headers": headers,
    }
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


async def execute(
    gateway: GraphQLGateway,
    request: Request,
    document: str,
    name: str,
    variables: dict[str, Any],
) -> Answer:
    response = await gateway.handle(graphql_request(request, document, name, variables))
    raw = bytes(response.body)
    decoded: dict[str, Any] = json.loads(raw) if raw else {}
    return Answer(response.status_code, decoded, response.headers.get(EXECUTOR_HEADER, "none"))
