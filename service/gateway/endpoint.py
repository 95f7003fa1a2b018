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
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.keys import ANONYMOUS, AuthError, Principal, authenticate, bearer_token
from service.caching import digest
from service.compiler.plan import Compiler
from service.config import Settings
from service.db.pool import mark_stateless
from service.faults import UNAVAILABLE_ERRORS
from service.gateway import access, as_of_header, execute
from service.gateway.access import authorization_header
from service.gateway.admission import admit
from service.gateway.body import check_text, decode_json, read_limited
from service.gateway.document import Documents, choose_operation
from service.gateway.errors import (
    BAD_REQUEST,
    BAD_USER_INPUT,
    METHOD_NOT_ALLOWED,
    SERVICE_UNAVAILABLE,
    TIMEOUT,
    UNSUPPORTED_MEDIA_TYPE,
    Refusal,
    bad_request,
)
from service.gateway.guard import refusal_outcome, timed_out, unexpected
from service.gateway.http_cache import mark_get
from service.gateway.persisted import ID_FIELDS, PersistedDocuments
from service.gateway.pricing import Pricing, Ticket, data_of, with_extensions
from service.gateway.responses import (
    JSON,
    encode,
    negotiate,
    refusal_response,
    respond,
)
from service.gateway.throttle import Throttle
from service.schema.errors import out_of_range
from service.telemetry.context import note

log = logging.getLogger(__name__)

PATHS = frozenset({"/graphql", "/graphql/"})
# Query-string parameters that make a GET a GraphQL request, even from a browser's address bar.
_GRAPHQL_PARAMS = frozenset({"query", "extensions", *ID_FIELDS})


class GraphQLGateway:
    def __init__(
        self,
        app: ASGIApp,
        *,
        schema: strawberry.Schema,
        settings: Settings,
        throttle: Throttle | None = None,
    ) -> None:
        self.app = app
        self.schema = schema
        self.settings = settings
        self.documents = Documents(schema._schema, settings)
        self.compiler = Compiler(schema, settings) if settings.compiler else None
        self.persisted = PersistedDocuments(settings)
        self.pricing = Pricing(schema._schema, settings, throttle)

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
        if not _GRAPHQL_PARAMS.isdisjoint(request.query_params.keys()):
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
            return self._refused(request, refusal, media_type)
        except TimeoutError:
            timed_out("deadline")
            return self._refused(
                request,
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

    def _refused(self, request: Request, refusal: Refusal, media_type: str) -> Response:
        response = refusal_response(refusal, media_type)
        if request.method == "GET":
            mark_get(response, cacheable=False, max_age_s=0)
        return response

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
        source = await self.persisted.source(params)
        query = source.query
        name, variables = _request_fields(params)
        if request.method == "GET":
            check_text(query)
        document = self.documents.prepare(query)
        if source.register is not None:
            await self.persisted.register(source.register, query)
        header_as_of = as_of_header.header_as_of(request.headers)
        definition = choose_operation(document, name)
        if definition.operation == OperationType.SUBSCRIPTION:
            raise Refusal(
                BAD_REQUEST,
                "Subscriptions are served over a websocket (graphql-transport-ws) or as "
                "server-sent events (Accept: text/event-stream); see docs/subscriptions.md.",
            )
        if request.method == "GET" and definition.operation != OperationType.QUERY:
            raise bad_request("Mutations are sent with POST.", status=405, code=METHOD_NOT_ALLOWED)
        state = request.app.state
        try:
            principal, keyed = await self._principal(request)
        except AuthError as exc:
            raise Refusal(exc.code, exc.message, status=exc.http_status) from None
        admitted = admit(
            self.schema._schema, self.settings, principal, keyed, document, definition, variables
        )
        coerced, cost = admitted.coerced, admitted.cost
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
            as_of=access.as_of(
                self.schema._schema, definition, document.fragments, coerced, header_as_of
            ),
        )
        public = not keyed and self.settings.reads_are_public
        try:
            if self.compiler is not None and state.statement_log is None:
                body = await execute.compiled(self.compiler, state.pool, operation, self.settings)
                if body is not None:
                    note(executor="compiled", outcome="ok")
                    priced = await self.pricing.settle(ticket, operation, data_of(body), "compiled")
                    response = respond(
                        with_extensions(body, {"cost": priced.cost}),
                        media_type=media_type,
                        executor="compiled",
                        headers=priced.headers,
                    )
                    return self._cached(request, response, public)
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
        response = await self._result(result, media_type, ticket, operation)
        return self._cached(request, response, public and not result.errors)

    def _cached(self, request: Request, response: Response, cacheable: bool) -> Response:
        if request.method != "GET":
            return response
        return mark_get(response, cacheable=cacheable, max_age_s=self.settings.get_max_age_s)

    async def _principal(self, request: Request) -> tuple[Any, bool]:
        state = request.app.state
        token = bearer_token(authorization_header(request.headers))
        if token is None:
            return ANONYMOUS, False

        async def lookup() -> Principal:
            timeout = self.settings.pool_acquire_timeout_ms / 1000
            async with state.pool.acquire(timeout=timeout) as conn:
                principal = await authenticate(conn, token)
                mark_stateless(conn)
                return principal

        try:
            return await state.keys.principal(token, lookup), True
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


def _request_fields(params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The operation's name and variables (the document is the persisted module's)."""
    name, variables = params.get("operationName"), params.get("variables")
    if name is not None and not isinstance(name, str):
        raise bad_request("`operationName` must be a string or null.")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise bad_request("`variables` must be a JSON object or null.")
    extensions = params.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise bad_request("`extensions` must be a JSON object or null.")
    return name or None, variables
