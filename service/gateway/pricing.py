"""A request's cost from estimate to answer: charged to its bucket before it runs, settled at
what it actually cost once it has, and reported in ``extensions.cost`` and the headers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from graphql import GraphQLSchema
from starlette.requests import Request

from service.auth.keys import Principal
from service.config import Settings
from service.gateway.actual import actual_cost
from service.gateway.buckets import Taken
from service.gateway.execute import Operation
from service.gateway.throttle import Charge, Throttle, bucket_headers, throttle_status
from service.telemetry import metrics
from service.telemetry.context import note


@dataclass(frozen=True)
class Ticket:
    requested: int
    charge: Charge | None


@dataclass(frozen=True)
class Priced:
    cost: dict[str, Any]
    headers: dict[str, str]


class Pricing:
    def __init__(
        self, schema: GraphQLSchema, settings: Settings, throttle: Throttle | None = None
    ) -> None:
        self.schema = schema
        self.throttle = throttle or Throttle(settings)

    async def charge(
        self, request: Request, principal: Principal, requested: int, pool: asyncpg.Pool
    ) -> Ticket:
        note(cost_requested=requested)
        if not self.throttle.enabled:
            return Ticket(requested, None)
        quota = await self.throttle.quota(principal, pool)
        charge = await self.throttle.charge(request.scope, principal, quota, requested)
        return Ticket(requested, charge)

    async def settle(
        self, ticket: Ticket, operation: Operation, data: Any, executor: str
    ) -> Priced:
        actual = actual_cost(
            self.schema,
            operation.definition,
            operation.document.fragments,
            operation.variables,
            data,
        )
        note(cost_actual=actual)
        metrics.QUERY_COST.labels(executor=executor).observe(actual)
        cost: dict[str, Any] = {"requestedQueryCost": ticket.requested, "actualQueryCost": actual}
        if ticket.charge is None:
            return Priced(cost, {})
        taken: Taken = await self.throttle.settle(ticket.charge, actual)
        quota = ticket.charge.quota
        cost["throttleStatus"] = throttle_status(quota, taken.available)
        return Priced(cost, bucket_headers(quota, taken))


def data_of(body: bytes) -> Any:
    """The ``data`` of a compiled answer (``{"data":…}``), read only to count its nodes."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:  # a number past 64 bits, which json reads as it is
        parsed = json.loads(body)
    return parsed.get("data")


def with_extensions(body: bytes, extensions: dict[str, Any]) -> bytes:
    """A compiled answer with ``extensions`` added, without decoding and encoding it again."""
    assert body.endswith(b"}")
    encoded = json.dumps(extensions, separators=(",", ":")).encode()
    return body[:-1] + b',"extensions":' + encoded + b"}"
