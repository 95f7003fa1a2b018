"""``POST /graphql`` and ``GET /graphql?query=…``: every GraphQL request over HTTP, start to end.

A pure ASGI wrapper in front of the application: GraphQL requests are answered here; anything
else (GraphiQL's page, its assets, websockets, other routes) goes on to the application.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import strawberry
from graphql import GraphQLError, OperationType
from graphql.execution.values import get_variable_values
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.keys import AuthError
from service.caching import digest
from service.compiler.plan import Compiler
from service.config import Settings
from service.gateway import access, execute
from service.gateway.body import check_text, decode_json, read_limited
from service.gateway.cost import check_cost
from service.gateway.document import Documents, choose_operation
from service.gateway.errors import (
    BAD_USER_INPUT,
    METHOD_NOT_ALLOWED,
    SERVICE_UNAVAILABLE,
    TIMEOUT,
    UNSUPPORTED_MEDIA_TYPE,
    Refusal,
    bad_request,
)
from service.gateway.guard import refusal_outcome, timed_out, unexpected
from service.gateway.inputs import check_inputs
from service.gateway.pricing import Pricing, Ticket, data_of, with_extensions
from service.gateway.production import suggestions_enabled
from service.gateway.responses import (
    JSON,
    encode,
    negotiate,
    refusal_response,
    respond,
)
from service.observability.context import note
from service.schema.errors import UNAVAILABLE_ERRORS, out_of_range

log = logging.getLogger(__name__)

PATHS = frozenset({"/graphql", "/graphql/"})


class GraphQLGateway:
    def __init__(self, app: ASGIApp, *, schema: strawberry.Schema, settings: Settings) -> None:
        self.app = app
        self.schema = schema
        self.settings = settings
        self.documents = Documents(schema._schema, settings)
        self.compiler = Compiler(schema, settings) if settings.compiler else None
        self.pricing = Pricing(schema._schema, settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS or not self._ours(scope):
            await self.app(scope, receive, send)
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    def _ours(self, scope: Scope) -> bool:
        """GraphQL requests; a browser's plain GET of /graphql is GraphiQL's page instead."""
        if scope["method"] != "GET":
            return True
        request = Request(scope)
        if "query" in request.query_params:
            return True
        return "text/html" not in request.headers.get("accept", "")

    async def handle(self, request: Request) -> Response:
        try:
            media_type = negotiate(request.headers)
        except Refusal as refusal:
            return refusal_response(refusal, JSON)
        note(graphql=True)
        try:
            async with asyncio.timeout(self.settings.request_deadline_ms / 1000):
                return await self._handle(request, media_type)
        except Refusal as refusal:
            refusal_outcome(refusal)
            return refusal_response(refusal, media_type)
        except TimeoutError:
            timed_out("deadline")
            return refusal_response(
                Refusal(
                    TIMEOUT,
                    f"The request took longer than its deadline of "
                    f"{self.settings.request_deadline_ms} ms and was stopped.",
                    status=504,
                ),
                media_type,
            )
        except Exception as exc:  # a fault of the service: logged, answered without internals
            return refusal_response(unexpected(exc), media_type)

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if name in params:
                    params[name] = decode_json(
                        params[name].encode(), max_depth=self.settings.max_json_depth
                    )
            return params
        if request.method != "POST":
            raise bad_request(
                "GraphQL requests are POST (or GET for queries).",
                status=405,
                code=METHOD_NOT_ALLOWED,
            )
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != JSON:
            raise bad_request(
                f"Send the request as {JSON} (got {content_type or 'no Content-Type'}).",
                status=415,
                code=UNSUPPORTED_MEDIA_TYPE,
            )
        raw = await read_limited(
            request.stream(),
            limit=self.settings.max_body_bytes,
            declared_length=request.headers.get("content-length"),
        )
        payload = decode_json(raw, max_depth=self.settings.max_json_depth)
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        return payload

    async def _handle(self, request: Request, media_type: str) -> Response:
        params = await self._params(request)
        query, name, variables = _request_fields(params)
        if request.method == "GET":
            check_text(query)
        document = self.documents.prepare(query)
        definition = choose_operation(document, name)
        if request.method == "GET" and definition.operation != OperationType.QUERY:
            raise bad_request("Mutations are sent with POST.", status=405, code=METHOD_NOT_ALLOWED)
        state = request.app.state
        try:
            principal, keyed = await self._principal(request)
            access.authorize(
                principal, keyed, definition, document.fragments, self.settings.reads_are_public
            )
        except AuthError as exc:
            raise Refusal(exc.code, exc.message, status=exc.http_status) from None
        check_inputs(document, definition, variables, self.settings)
        coerced = get_variable_values(
            self.schema._schema,
            definition.variable_definitions or (),
            variables,
            hide_suggestions=not suggestions_enabled(self.settings),
        )
        if isinstance(coerced, list):
            first = coerced[0]
            raise Refusal(BAD_USER_INPUT, first.message)
        cost = check_cost(
            self.schema._schema, definition, document.fragments, variables, self.settings
        )
        note(
            operation=definition.name.value if definition.name else None,
            operation_type=definition.operation.value,
        )
        ticket = await self.pricing.charge(request, principal, cost.nodes, state.pool)
        operation = execute.Operation(
            key=digest(query),
            query=query,
            document=document,
            definition=definition,
            name=name,
            variables=variables,
            as_of=access.as_of(self.schema._schema, definition, document.fragments, coerced),
        )
        try:
            if self.compiler is not None and state.statement_log is None:
                body = await execute.compiled(self.compiler, state.pool, operation, self.settings)
                if body is not None:
                    note(executor="compiled", outcome="ok")
                    priced = await self.pricing.settle(ticket, operation, data_of(body), "compiled")
                    return respond(
                        with_extensions(body, {"cost": priced.cost}),
                        media_type=media_type,
                        executor="compiled",
                        headers=priced.headers,
                    )
            note(executor="resolvers")
            result = await execute.resolved(
                self.schema, request, self.settings, principal, operation
            )
        except UNAVAILABLE_ERRORS as exc:
            log.warning("database unavailable: %r", exc)
            raise _unavailable() from None
        except asyncpg.DataError as exc:
            raise Refusal(BAD_USER_INPUT, out_of_range(exc)) from None
        except asyncpg.QueryCanceledError:
            timed_out("statement")
            raise Refusal(
                TIMEOUT, "The query took too long and was cancelled.", status=504
            ) from None
        return await self._result(result, media_type, ticket, operation)

    async def _principal(self, request: Request) -> tuple[Any, bool]:
        pool = request.app.state.pool
        if "authorization" not in request.headers:
            return await access.principal_of(request.headers, None)
        try:
            async with pool.acquire(timeout=self.settings.pool_acquire_timeout_ms / 1000) as conn:
                return await access.principal_of(request.headers, conn)
        except UNAVAILABLE_ERRORS as exc:
            log.warning("database unavailable: %r", exc)
            raise _unavailable() from None

    async def _result(
        self,
        result: execute.Result,
        media_type: str,
        ticket: Ticket,
        operation: execute.Operation,
    ) -> Response:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_formatted(e) for e in result.errors]
        note(outcome="errors" if result.errors else "ok")
        priced = await self.pricing.settle(ticket, operation, result.data, "resolvers")
        body["extensions"] = {**(result.extensions or {}), "cost": priced.cost}
        return respond(
            encode(body), media_type=media_type, executor="resolvers", headers=priced.headers
        )


def _formatted(error: GraphQLError) -> dict[str, Any]:
    return dict(error.formatted)


def _unavailable() -> Refusal:
    return Refusal(
        SERVICE_UNAVAILABLE,
        "The database is unavailable; retry shortly.",
        status=503,
        request_level=True,
    )


def _request_fields(params: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    query, name, variables = (
        params.get("query"),
        params.get("operationName"),
        params.get("variables"),
    )
    if not isinstance(query, str) or not query.strip():
        raise bad_request("The request has no `query` string.")
    if name is not None and not isinstance(name, str):
        raise bad_request("`operationName` must be a string or null.")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise bad_request("`variables` must be a JSON object or null.")
    extensions = params.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise bad_request("`extensions` must be a JSON object or null.")
    return query, name or None, variables
