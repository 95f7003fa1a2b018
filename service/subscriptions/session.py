"""A subscription from request to stream, whatever carries it (websocket or server-sent events).

The same checks as a query's, in the same order and with the same codes (service/gateway):
the document (persisted or trusted documents included) is parsed and measured within the
request limits, the key must allow reading (unless reads are public), inputs and cost are
checked, and the estimated cost of one result is taken from the client's rate-limit bucket
once, when the subscription starts. Then strawberry executes it on a SubscriptionContext.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import strawberry
from graphql import GraphQLError, OperationType
from starlette.types import Scope
from strawberry.types.execution import PreExecutionError

from service.auth.keys import ANONYMOUS, AuthError, Principal, authenticate, bearer_token
from service.config import Settings
from service.db.listen import ChangeSignal
from service.gateway.admission import admit
from service.gateway.document import Document, Documents, choose_operation
from service.gateway.errors import BAD_REQUEST, Refusal, bad_request
from service.gateway.persisted import PersistedDocuments
from service.gateway.throttle import Throttle
from service.schema.errors import SafeErrors, _unexpected
from service.schema.subscription_context import SubscriptionContext

log = logging.getLogger(__name__)

TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"


class StreamRefused(Exception):
    """The subscription's resolver refused it (a bad cursor, say) before any event."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "refused")
        self.errors = errors


@dataclass(frozen=True)
class Prepared:
    query: str
    document: Document
    name: str | None
    variables: dict[str, Any]


class Subscriptions:
    """Per process: the subscriptions it serves, and the one LISTEN connection they share."""

    def __init__(
        self, schema: strawberry.Schema, settings: Settings, throttle: Throttle | None = None
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.documents = Documents(schema._schema, settings)
        self.persisted = PersistedDocuments(settings)
        self.throttle = throttle or Throttle(settings)
        self.masker = SafeErrors()
        self.active = 0
        self._signal: ChangeSignal | None = None

    def signal(self, database_url: str) -> ChangeSignal:
        """The process's LISTEN connection, opened by the first subscription."""
        if self._signal is None:
            # Half the pool at most, leaving the rest to queries and mutations.
            self._signal = ChangeSignal(database_url, self.settings.pool_max_size // 2)
            self._signal.start()
        return self._signal

    async def close(self) -> None:
        if self._signal is not None:
            await self._signal.stop()
            self._signal = None

    async def principal(
        self, pool: asyncpg.Pool, authorization: str | None
    ) -> tuple[Principal, bool]:
        """Who subscribes, and whether a key was given; AuthError for a bad key, or for none
        when reads are not public."""
        token = bearer_token(authorization)
        if token is None:
            principal, keyed = ANONYMOUS, False
        else:
            async with pool.acquire(timeout=self.settings.pool_acquire_timeout_ms / 1000) as conn:
                principal, keyed = await authenticate(conn, token), True
        if not keyed and not self.settings.reads_are_public:
            raise AuthError("UNAUTHENTICATED", "Subscribing needs an API key with `read` scope.")
        return principal, keyed

    def reserve(self) -> None:
        """Takes one of the process's subscriptions (give it back with ``release``)."""
        limit = self.settings.subscriptions_per_process
        if self.active >= limit:
            raise Refusal(
                TOO_MANY_SUBSCRIPTIONS,
                f"This server already serves its limit of {limit} subscriptions; retry later "
                "or on another server.",
                status=503,
                limit=limit,
            )
        self.active += 1

    def release(self) -> None:
        self.active -= 1

    async def prepare(
        self,
        scope: Scope,
        pool: asyncpg.Pool,
        principal: Principal,
        keyed: bool,
        params: Any,
    ) -> Prepared:
        """A subscription ready to run, or the Refusal that says why it may not."""
        if not isinstance(params, dict):
            raise bad_request("The subscription's payload must be a JSON object.")
        source = await self.persisted.source(params)
        name, variables = params.get("operationName"), params.get("variables")
        if name is not None and not isinstance(name, str):
            raise bad_request("`operationName` must be a string or null.")
        if variables is None:
            variables = {}
        if not isinstance(variables, dict):
            raise bad_request("`variables` must be a JSON object or null.")
        document = self.documents.prepare(source.query)
        if source.register is not None:
            await self.persisted.register(source.register, source.query)
        definition = choose_operation(document, name)
        if definition.operation != OperationType.SUBSCRIPTION:
            raise Refusal(
                BAD_REQUEST,
                f"Only subscriptions are served here; send a {definition.operation.value} as an "
                "HTTP POST to /graphql.",
            )
        cost = admit(
            self.schema._schema, self.settings, principal, keyed, document, definition, variables
        ).cost
        if self.throttle.enabled:
            quota = await self.throttle.quota(principal, pool)
            await self.throttle.charge(scope, principal, quota, cost.nodes)
        return Prepared(source.query, document, name or None, variables)

    async def run(
        self, prepared: Prepared, pool: asyncpg.Pool, database_url: str, principal: Principal
    ) -> AsyncIterator[dict[str, Any]]:
        """The subscription's results as GraphQL responses, until it ends or is cancelled."""
        context = SubscriptionContext(pool, self.settings, self.signal(database_url))
        context.principal = principal
        context.document = prepared.document.node
        try:
            stream = await self.schema.subscribe(
                prepared.query,
                variable_values=prepared.variables,
                context_value=context,
                operation_name=prepared.name,
            )
            async for result in stream:
                formatted = self._formatted(result.data, result.errors)
                if isinstance(result, PreExecutionError):
                    raise StreamRefused(formatted.get("errors", []))
                yield formatted
        finally:
            await context.db.close()

    def _formatted(self, data: Any, errors: list[GraphQLError] | None) -> dict[str, Any]:
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = [
                (self.masker.anonymise_error(e) if _unexpected(e) else e).formatted for e in errors
            ]
        return body
